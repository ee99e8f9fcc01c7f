import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { LoggingModule, SettingsModule } from '@libs/config';
import { DatabaseModule } from '@libs/database';
import { QueuesModule } from '@libs/queues';
import { AdminModule } from './admin/admin.module';
import { DigestsApiController, DigestsController } from './digests/digests.controller';
import { DigestsService } from './digests/digests.service';
import { FeedsController } from './feeds/feeds.controller';
import { FeedsService } from './feeds/feeds.service';
import { SubscriberPages } from './pages/pages';
import { AdminSourcesController } from './admin/admin-sources.controller';
import { AdminGuard } from './admin/admin.guard';
import { HealthController } from './health/health.controller';
import { RequestInputModule } from './http/request-input.module';
import { PapersController } from './papers/papers.controller';
import { PapersService } from './papers/papers.service';
import { ProfileService } from './relevance/profile.service';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService } from './metrics/metrics.service';
import { SubscriptionsController } from './subscriptions/subscriptions.controller';
import { SubscribeRateLimiter } from './subscriptions/subscribe-rate-limiter';
import { SubscriptionsService } from './subscriptions/subscriptions.service';
import { FeedbackService } from './relevance/feedback.service';
import { RelevanceController, SimilarPapersController } from './relevance/relevance.controller';
import { SeedsService } from './relevance/seeds.service';
import { SimilarPapersService } from './relevance/similar-papers.service';
import { VoteLinksController } from './relevance/vote-links.controller';
import { VoteLinksService } from './relevance/vote-links.service';
import { TopicsController } from './topics/topics.controller';
import { HtmlErrorsFilter } from './web/html-errors.filter';
import { WebPagesController } from './web/web-pages.controller';
import { WebPapersService } from './web/web-papers.service';
import { WebProfileController } from './web/web-profile.controller';
import { WebSubscriptionsController } from './web/web-subscriptions.controller';
import { MailWebhooksModule } from './webhooks/mail-webhooks.module';

@Module({
  // RequestInputModule after LoggingModule: its middleware runs after the request logger's.
  imports: [
    SettingsModule,
    LoggingModule,
    RequestInputModule,
    DatabaseModule,
    QueuesModule,
    TerminusModule,
    AdminModule,
    MailWebhooksModule,
  ],
  controllers: [
    SubscriptionsController,
    WebProfileController,
    FeedsController,
    DigestsController,
    DigestsApiController,
    TopicsController,
    HealthController,
    MetricsController,
    AdminSourcesController,
    PapersController,
    WebPagesController,
    WebSubscriptionsController,
    RelevanceController,
    SimilarPapersController,
    VoteLinksController,
  ],
  providers: [
    SubscriptionsService,
    ProfileService,
    SubscribeRateLimiter,
    FeedsService,
    SubscriberPages,
    DigestsService,
    MetricsService,
    AdminGuard,
    PapersService,
    WebPapersService,
    FeedbackService,
    SimilarPapersService,
    SeedsService,
    VoteLinksService,
    { provide: APP_FILTER, useClass: HtmlErrorsFilter },
  ],
})
export class ApiModule {}
