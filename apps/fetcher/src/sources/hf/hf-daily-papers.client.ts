import { Injectable } from '@nestjs/common';
import type { SourceEntity } from '@libs/database';
import { redactUrl } from '@libs/http';
import { parseHfDailyPapers } from './hf-daily-papers.parser';
import { ListingMode, SourceClient, SourceListings, UpstreamError } from '../shared/source-client';
import { SourceHttp, sourcePrefix } from '../shared/source-http';

const PAGE_SIZE = 100; // the API's maximum
const MAX_PAGES = 20;

/** The Hugging Face Daily Papers API: one date, every page until a short one. */
@Injectable()
export class HfDailyPapersClient implements SourceClient {
  // Papers are added to a date all day long, some after its last scheduled run: yesterday is asked again.
  readonly mode: ListingMode = { kind: 'dated', lagDays: 0, refetchDays: 2, calendar: 'weekdays' };

  constructor(private readonly http: SourceHttp) {}

  async fetchListings(source: SourceEntity, listingDate: string): Promise<SourceListings> {
    const result: SourceListings = { listings: [], problems: [], httpStatus: 0 };
    const seen = new Set<string>();
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const url = new URL(source.url);
      url.searchParams.set('date', listingDate);
      url.searchParams.set('limit', String(PAGE_SIZE));
      url.searchParams.set('p', String(page));
      // The source URL may carry a token in its query: errors name it without, and only our parameters.
      const detail = `for date ${listingDate}, page ${page}`;
      const response = await this.http.get(source, {
        url: url.toString(),
        label: source.url,
        accept: 'application/json',
        detail,
      });
      result.httpStatus = response.status;
      let parsed: ReturnType<typeof parseHfDailyPapers>;
      try {
        parsed = parseHfDailyPapers(response.body.toString('utf8'));
      } catch (error) {
        // An HTML error page or a cut-off body served with 200 is often gone on the next try.
        const reason = error instanceof Error ? error.message : String(error);
        throw new UpstreamError(
          `${sourcePrefix(source)}${redactUrl(source.url)} ${detail}: ${reason}`,
          response.status,
        );
      }
      result.problems.push(...parsed.problems.map((problem) => `page ${page}: ${problem}`));
      for (const listing of parsed.listings) {
        if (!seen.has(listing.externalId)) {
          seen.add(listing.externalId);
          result.listings.push(listing);
        }
      }
      if (parsed.listings.length + parsed.problems.length < PAGE_SIZE) {
        return result;
      }
    }
    result.problems.push(`stopped after ${MAX_PAGES} pages of ${PAGE_SIZE}; later pages were not fetched`);
    return result;
  }
}
