import { Module } from '@nestjs/common';
import { SettingsModule } from '@libs/config';
import { DatabaseModule } from '@libs/database';
import { QueuesModule } from '@libs/queues';
import { BackfillService } from './backfill.service';
import { BackfillCommand } from './commands/backfill.command';
import { DigestCommand, DigestPreviewCommand, DigestSendCommand } from './commands/digest.command';
import { FetchCommand } from './commands/fetch.command';
import { LookupCommand } from './commands/lookup.command';
import { SourcesCommand, SourcesEnableCommand, SourcesStatusCommand } from './commands/sources.command';
import { ReclassifyCommand } from './commands/reclassify.command';
import { DigestPreviewService } from './digest-preview.service';
import { EmbedBackfillService } from './embed-backfill.service';
import { EmbedCommand } from './commands/embed.command';
import { PipelineRunner } from './pipeline-runner.service';
import { ReclassifyService } from './reclassify.service';

@Module({
  imports: [SettingsModule, DatabaseModule, QueuesModule],
  providers: [
    SourcesCommand,
    SourcesStatusCommand,
    SourcesEnableCommand,
    PipelineRunner,
    DigestPreviewService,
    FetchCommand,
    LookupCommand,
    DigestCommand,
    DigestSendCommand,
    DigestPreviewCommand,
    ReclassifyService,
    ReclassifyCommand,
    BackfillService,
    BackfillCommand,
    EmbedBackfillService,
    EmbedCommand,
  ],
})
export class CliModule {}
