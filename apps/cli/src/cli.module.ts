import { Module } from '@nestjs/common';
import { SettingsModule } from '@libs/config';
import { DatabaseModule } from '@libs/database';
import { QueuesModule } from '@libs/queues';
import { DigestCommand, DigestPreviewCommand, DigestSendCommand } from './commands/digest.command';
import { FetchCommand } from './commands/fetch.command';
import { DigestPreviewService } from './digest-preview.service';
import { PipelineRunner } from './pipeline-runner.service';

@Module({
  imports: [SettingsModule, DatabaseModule, QueuesModule],
  providers: [PipelineRunner, DigestPreviewService, FetchCommand, DigestCommand, DigestSendCommand, DigestPreviewCommand],
})
export class CliModule {}
