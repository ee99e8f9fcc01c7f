import { DeliveryEntity } from './delivery.entity';
import { DigestPaperEntity } from './digest-paper.entity';
import { DigestEntity } from './digest.entity';
import { FetchRunEntity } from './fetch-run.entity';
import { ListingEntity } from './listing.entity';
import { PaperTopicEntity } from './paper-topic.entity';
import { PaperEntity } from './paper.entity';
import { SourceEntity } from './source.entity';
import { SubscriptionEntity } from './subscription.entity';

export * from './delivery.entity';
export * from './digest-paper.entity';
export * from './digest.entity';
export * from './fetch-run.entity';
export * from './listing.entity';
export * from './paper-topic.entity';
export * from './paper.entity';
export * from './source.entity';
export * from './subscription.entity';

export const ENTITIES = [
  SourceEntity,
  FetchRunEntity,
  ListingEntity,
  PaperEntity,
  PaperTopicEntity,
  SubscriptionEntity,
  DigestEntity,
  DigestPaperEntity,
  DeliveryEntity,
];
