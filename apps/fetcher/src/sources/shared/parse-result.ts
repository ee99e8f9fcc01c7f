import type { ParsedListing } from '@libs/domain';

/** What a parse produced: the good items, and one line per item that had to be skipped. */
export interface ParseResult<T extends ParsedListing = ParsedListing> {
  listings: T[];
  problems: string[];
}

/** arXiv metadata that listings have no column for yet; parsed so that storing it is one step away. */
export interface ArxivDetails {
  comment: string | null;
  journalRef: string | null;
}

export type ArxivListing = ParsedListing & ArxivDetails;

/** The listing without the details, as the listings table takes it. */
export function withoutDetails({
  comment: _comment,
  journalRef: _journalRef,
  ...listing
}: ArxivListing): ParsedListing {
  return listing;
}

/**
 * Keeps the first listing of each external id; a repeat is a problem line naming the item, as a
 * source that lists an item twice in one answer is broken.
 */
export class ListingCollector<T extends ParsedListing> {
  readonly listings: T[] = [];
  readonly problems: string[] = [];
  private readonly seen = new Set<string>();

  add(where: string, result: T | string): void {
    if (typeof result === 'string') {
      this.problems.push(`${where}: ${result}`);
    } else if (this.seen.has(result.externalId)) {
      this.problems.push(`${where}: ${result.externalId} listed twice; kept the first`);
    } else {
      this.seen.add(result.externalId);
      this.listings.push(result);
    }
  }

  /** A problem with an item that was kept all the same (a bad date replaced by the fetch time). */
  note(where: string, problem: string): void {
    this.problems.push(`${where}: ${problem}`);
  }

  result(): ParseResult<T> {
    return { listings: this.listings, problems: this.problems };
  }
}
