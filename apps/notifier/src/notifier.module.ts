import { Module } from '@nestjs/common';
import { LoggingModule, SettingsModule } from '@libs/config';
import { DatabaseModule } from '@libs/database';
import { HttpModule } from '@libs/http';
import { MailModule } from '@libs/mail';
import { QueuesModule } from '@libs/queues';
import { EmailChannel } from './channels/email.channel';
import { SlackChannel } from './channels/slack.channel';
import { WebhookThrottle } from './channels/webhook-throttle';
import { ConfirmationCap } from './confirmation-cap';
import { ConfirmationService } from './confirmation.service';
import { DeliveryService } from './delivery.service';
import { DenseRanking } from './dense-ranking';
import { DigestBuilderService } from './digest-builder.service';
import { DigestMatcher } from './digest-matcher';
import { DigestPlannerService } from './digest-planner.service';
import { DigestScheduler } from './digest-scheduler';
import { LedgerRetentionService } from './ledger-retention.service';
import { NotifyProcessor } from './notify.processor';
import { SourceAlertService } from './source-alert.service';

@Module({
  imports: [
    SettingsModule,
    LoggingModule,
    DatabaseModule,
    QueuesModule,
    MailModule,
    HttpModule.forSettings(),
  ],
  providers: [
    DigestScheduler,
    NotifyProcessor,
    DigestPlannerService,
    DigestBuilderService,
    DigestMatcher,
    DenseRanking,
    DeliveryService,
    ConfirmationService,
    ConfirmationCap,
    EmailChannel,
    SlackChannel,
    WebhookThrottle,
    SourceAlertService,
    LedgerRetentionService,
  ],
})
export class NotifierModule {}
