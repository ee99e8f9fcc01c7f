import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Settings } from '@libs/config';
import { dataSourceOptions } from './data-source';
import { ENTITIES } from './entities';
import { DeliveryRepository } from './repositories/delivery.repository';
import { DeliveryLogRepository } from './repositories/delivery-log.repository';
import { DigestRepository } from './repositories/digest.repository';
import { FetchRunRepository } from './repositories/fetch-run.repository';
import { LedgerRetentionRepository } from './repositories/ledger-retention.repository';
import { ListingRepository } from './repositories/listing.repository';
import { MailEventRepository } from './repositories/mail-event.repository';
import { PaperRepository } from './repositories/paper.repository';
import { ProfileRepository } from './repositories/profile.repository';
import { RelevanceRepository } from './repositories/relevance.repository';
import { EmbeddingRepository } from './repositories/embedding.repository';
import { SourceRepository } from './repositories/source.repository';
import { StatsRepository } from './repositories/stats.repository';
import { SubscriptionRepository } from './repositories/subscription.repository';
import { VoteRepository } from './repositories/vote.repository';

const REPOSITORIES = [
  SourceRepository,
  FetchRunRepository,
  ListingRepository,
  PaperRepository,
  SubscriptionRepository,
  DigestRepository,
  StatsRepository,
  DeliveryLogRepository,
  DeliveryRepository,
  VoteRepository,
  RelevanceRepository,
  EmbeddingRepository,
  LedgerRetentionRepository,
  ProfileRepository,
  MailEventRepository,
];

/** The Postgres connection and one repository class per aggregate; all SQL lives behind them. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [Settings],
      useFactory: (settings: Settings) => dataSourceOptions(settings.DATABASE_URL),
    }),
    TypeOrmModule.forFeature(ENTITIES),
  ],
  providers: REPOSITORIES,
  exports: [...REPOSITORIES, TypeOrmModule],
})
export class DatabaseModule {}
