import { InitialSchema1764320000000 } from './1764320000000-InitialSchema';
import { IdentifiersAndSourceState1764400000000 } from './1764400000000-IdentifiersAndSourceState';
import { DigestPlannedFor1764500000000 } from './1764500000000-DigestPlannedFor';
import { AuthorSearchStemmed1764600000000 } from './1764600000000-AuthorSearchStemmed';
import { DeliveryPartsSent1764700000000 } from './1764700000000-DeliveryPartsSent';
import { SearchVectorOnTextChange1764900000000 } from './1764900000000-SearchVectorOnTextChange';
import { SourceConfiguredUrl1765000000000 } from './1765000000000-SourceConfiguredUrl';
import { SourceLookupWith1765000000001 } from './1765000000001-SourceLookupWith';
import { DropUnusedListingIndexes1765000000002 } from './1765000000002-DropUnusedListingIndexes';
import { SubscriptionPlanAt1765100000000 } from './1765100000000-SubscriptionPlanAt';
import { LedgerWithoutPaperForeignKey1765100000001 } from './1765100000001-LedgerWithoutPaperForeignKey';
import { ClassifierLinksWithoutPaperForeignKeys1765200000000 } from './1765200000000-ClassifierLinksWithoutPaperForeignKeys';
import { DigestLeftOutPaperIds1765300000000 } from './1765300000000-DigestLeftOutPaperIds';
import { ChannelEdits1765300000300 } from './1765300000300-ChannelEdits';
import { DigestWindowsAndResume1765320000000 } from './1765320000000-DigestWindowsAndResume';
import { DigestMergedStatus1765400000000 } from './1765400000000-DigestMergedStatus';
import { RevocableLinks1765500000000 } from './1765500000000-RevocableLinks';
import { DigestPaperWhy1765600000200 } from './1765600000200-DigestPaperWhy';
import { PendingSeeds1765700000300 } from './1765700000300-PendingSeeds';
import { Relevance1765600000140 } from './1765600000140-Relevance';
import { MailEvents1765700000500 } from './1765700000500-MailEvents';
import { LedgerRetentionIndexes1765700000900 } from './1765700000900-LedgerRetentionIndexes';
import { PaperEmbeddings1765800000100 } from './1765800000100-PaperEmbeddings';
import { VoteRecordedOrder1765800000200 } from './1765800000200-VoteRecordedOrder';
import { DigestBuildFunction1765800001300 } from './1765800001300-DigestBuildFunction';

/** Every migration, in order: an imported list rather than a glob, so bundles and the CLI agree. */
export const MIGRATIONS = [
  InitialSchema1764320000000,
  IdentifiersAndSourceState1764400000000,
  DigestPlannedFor1764500000000,
  AuthorSearchStemmed1764600000000,
  DeliveryPartsSent1764700000000,
  SearchVectorOnTextChange1764900000000,
  SourceConfiguredUrl1765000000000,
  SourceLookupWith1765000000001,
  DropUnusedListingIndexes1765000000002,
  SubscriptionPlanAt1765100000000,
  LedgerWithoutPaperForeignKey1765100000001,
  ClassifierLinksWithoutPaperForeignKeys1765200000000,
  DigestLeftOutPaperIds1765300000000,
  ChannelEdits1765300000300,
  DigestWindowsAndResume1765320000000,
  DigestMergedStatus1765400000000,
  RevocableLinks1765500000000,
  Relevance1765600000140,
  DigestPaperWhy1765600000200,
  PendingSeeds1765700000300,
  MailEvents1765700000500,
  LedgerRetentionIndexes1765700000900,
  PaperEmbeddings1765800000100,
  VoteRecordedOrder1765800000200,
  DigestBuildFunction1765800001300,
];
