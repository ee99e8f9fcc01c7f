import { Module } from '@nestjs/common';
import { LoggingModule, SettingsModule } from '@libs/config';
import { DatabaseModule } from '@libs/database';
import { HttpModule } from '@libs/http';
import { QueuesModule } from '@libs/queues';
import { FetchScheduler } from './fetch-scheduler';
import { FetchProcessor } from './fetch.processor';
import { ListingReconciler } from './listing-reconciler.service';
import { SourceFetcherService } from './source-fetcher.service';
import { ArxivApiClient } from './sources/arxiv/arxiv-api.client';
import { ArxivRssClient, RssClient } from './sources/rss/feed.client';
import { HfDailyPapersClient } from './sources/hf/hf-daily-papers.client';
import { HostPacer } from './sources/shared/host-pacer';
import { SourceHttp } from './sources/shared/source-http';

/** The fetch work without its scheduler and processor: what the integration tests build on. */
export const FETCH_PROVIDERS = [
  SourceFetcherService,
  HostPacer,
  SourceHttp,
  HfDailyPapersClient,
  ArxivRssClient,
  ArxivApiClient,
  RssClient,
];

@Module({
  imports: [SettingsModule, LoggingModule, DatabaseModule, QueuesModule, HttpModule.forSettings()],
  providers: [FetchScheduler, FetchProcessor, ListingReconciler, ...FETCH_PROVIDERS],
})
export class FetcherModule {}
