import { PermanentError, type ParsedListing } from '@libs/domain';
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

/** An upstream answered with an error status worth retrying (5xx, 429); the run records the status. */
export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly httpStatus: number | null,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}

/** An upstream answer that retrying cannot fix (4xx, a refused target); the run records the status. */
export class PermanentUpstreamError extends PermanentError {
  constructor(
    message: string,
    readonly httpStatus: number | null,
  ) {
    super(message);
    this.name = 'PermanentUpstreamError';
  }
}

/** The HTTP status an upstream error carries, if any. */
export function httpStatusOf(error: unknown): number | null {
  return error instanceof UpstreamError || error instanceof PermanentUpstreamError ? error.httpStatus : null;
}
