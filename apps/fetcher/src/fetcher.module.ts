import { Module } from '@nestjs/common';
import { LoggingModule, Settings, SettingsModule } from '@libs/config';
import { DatabaseModule } from '@libs/database';
import { HttpModule } from '@libs/http';
import { QueuesModule } from '@libs/queues';
import { FetchScheduler } from './fetch-scheduler';
import { FetchProcessor } from './fetch.processor';
import { SourceFetcherService } from './source-fetcher.service';
import { HfDailyPapersClient } from './sources/hf-daily-papers.client';

@Module({
  imports: [
    SettingsModule,
    LoggingModule,
    DatabaseModule,
    QueuesModule,
    HttpModule.registerAsync({
      inject: [Settings],
      useFactory: (settings) => ({
        allowPrivateTargets: (settings as Settings).ALLOW_PRIVATE_TARGETS,
        userAgent: 'Paperboy/0.1 (research-paper digest; +https://github.com/paperboy)',
      }),
    }),
  ],
  providers: [FetchScheduler, FetchProcessor, SourceFetcherService, HfDailyPapersClient],
})
export class FetcherModule {}
