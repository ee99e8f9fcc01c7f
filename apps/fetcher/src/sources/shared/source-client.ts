import { PermanentError, type ParsedListing } from '@libs/domain';
import type { SourceEntity } from '@libs/database';
import type { ListingCalendar } from '../arxiv/listing-calendar';

/** An answer's validators, sent back as If-None-Match / If-Modified-Since by the next conditional GET. */
export interface Validators {
  etag: string | null;
  lastModified: string | null;
}

export interface SourceListings {
  listings: ParsedListing[];
  /** Items skipped as malformed, one line each, recorded on the run. */
  problems: string[];
  /** The status of the last answer: 304 when a conditional GET found nothing new. */
  httpStatus: number;
  /** Feeds: the validators of a 200, stored once its listings are. */
  validators?: Validators;
  /** Feeds: where a chain of permanent redirects (301/308) led; the source's URL becomes this. */
  movedTo?: string;
}

/**
 * How a kind of source lists its items. A `dated` source answers for any listing date, so a run can
 * catch up on missed days; a `feed` only shows its current items, and its listing date is the fetch date.
 */
export type ListingMode =
  | {
      kind: 'dated';
      /** Days between today and the newest listing date worth asking for. */
      lagDays: number;
      /** The newest listing dates that every scheduled run asks for again, because they may still grow. */
      refetchDays: number;
      /** The days on which the source should list something: a settled day with nothing is a warning. */
      calendar: ListingCalendar;
    }
  | { kind: 'feed' };

/** Fetches and parses one listing date of one kind of source. */
export interface SourceClient {
  readonly mode: ListingMode;
  fetchListings(source: SourceEntity, listingDate: string, fetchedAt: Date): Promise<SourceListings>;
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

/** 429 or 503 with a `Retry-After`: the upstream said when to ask again. */
export class UpstreamRetryAfterError extends UpstreamError {
  constructor(
    message: string,
    httpStatus: number,
    readonly retryAfterMs: number,
  ) {
    super(message, httpStatus);
    this.name = 'UpstreamRetryAfterError';
  }
}

/**
 * A `Retry-After` header in milliseconds from `now`: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * Null when absent or unreadable; a date in the past is "now" (0).
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | null {
  const text = value?.trim();
  if (!text) {
    return null;
  }
  if (/^\d+$/.test(text)) {
    return Number(text) * 1000;
  }
  // An HTTP-date starts with the day's name; Date.parse alone would read "-5" as a year.
  const at = /^[A-Za-z]/.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
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

/** 410 Gone: the source was removed upstream; the fetcher disables it. */
export class SourceGoneError extends PermanentUpstreamError {
  constructor(message: string) {
    super(message, 410);
    this.name = 'SourceGoneError';
  }
}

/** The HTTP status an upstream error carries, if any. */
export function httpStatusOf(error: unknown): number | null {
  return error instanceof UpstreamError || error instanceof PermanentUpstreamError ? error.httpStatus : null;
}
