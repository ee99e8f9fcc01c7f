import type { ParsedListing } from '@libs/domain';
import type { SourceEntity } from '@libs/database';

export interface SourceListings {
  listings: ParsedListing[];
  /** Items skipped as malformed, one line each, recorded on the run. */
  problems: string[];
  httpStatus: number;
}

/** Fetches and parses one listing date of one kind of source. */
export interface SourceClient {
  fetchListings(source: SourceEntity, listingDate: string): Promise<SourceListings>;
}
