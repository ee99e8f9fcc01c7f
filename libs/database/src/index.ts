export * from './data-source';
export * from './database.module';
export * from './entities';
export * from './migrate-database';
export * from './repositories/delivery.repository';
export * from './repositories/delivery-log.repository';
export * from './repositories/digest.repository';
export * from './repositories/fetch-run.repository';
export * from './repositories/listing.repository';
export * from './repositories/mail-event.repository';
export * from './repositories/paper.repository';
export {
  isDataError,
  isWriteConflict,
  ListingClaim,
  PaperMergeStatements,
  VersionedListing,
} from './repositories/paper-merge.statements';
export * from './repositories/source.repository';
export * from './repositories/subscription.repository';
export * from './repositories/stats.repository';
export * from './repositories/vote.repository';
export * from './repositories/relevance.repository';
export * from './repositories/embedding.repository';
export * from './repositories/ledger-retention.repository';
export * from './repositories/profile.repository';
