import { Module } from '@nestjs/common';
import { SettingsModule } from '@libs/config';
import { DatabaseModule } from '@libs/database';
import { QueuesModule } from '@libs/queues';
import { DigestCommand, DigestSendCommand } from './commands/digest.command';
import { FetchCommand } from './commands/fetch.command';
import { PipelineRunner } from './pipeline-runner.service';

@Module({
  imports: [SettingsModule, DatabaseModule, QueuesModule],
  providers: [PipelineRunner, FetchCommand, DigestCommand, DigestSendCommand],
})
export class CliModule {}
