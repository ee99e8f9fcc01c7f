import { Injectable } from '@nestjs/common';
import { PermanentError } from '@libs/domain';
import type { SourceEntity } from '@libs/database';
import { HttpClient, HttpResponse } from '@libs/http';
import { parseHfDailyPapers } from './hf-daily-papers.parser';
import { SourceClient, SourceListings } from './source-client';

const PAGE_SIZE = 100; // the API's maximum
const MAX_PAGES = 20;

/** The Hugging Face Daily Papers API: one date, every page until a short one. */
@Injectable()
export class HfDailyPapersClient implements SourceClient {
  constructor(private readonly http: HttpClient) {}

  async fetchListings(source: SourceEntity, listingDate: string): Promise<SourceListings> {
    const result: SourceListings = { listings: [], problems: [], httpStatus: 0 };
    const seen = new Set<string>();
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const url = new URL(source.url);
      url.searchParams.set('date', listingDate);
      url.searchParams.set('limit', String(PAGE_SIZE));
      url.searchParams.set('p', String(page));
      const response = await this.http.request({ url: url.toString(), headers: { accept: 'application/json' } });
      result.httpStatus = response.status;
      assertOk(response, url);
      const parsed = parseHfDailyPapers(response.body.toString('utf8'));
      result.problems.push(...parsed.problems.map((problem) => `page ${page}: ${problem}`));
      for (const listing of parsed.listings) {
        if (!seen.has(listing.externalId)) {
          seen.add(listing.externalId);
          result.listings.push(listing);
        }
      }
      if (parsed.listings.length + parsed.problems.length < PAGE_SIZE) {
        break;
      }
    }
    return result;
  }
}

function assertOk(response: HttpResponse, url: URL): void {
  if (response.status === 200) {
    return;
  }
  const detail = `${url.origin}${url.pathname} answered HTTP ${response.status} for ${url.search}`;
  if (response.status === 429 || response.status >= 500) {
    const retryAfter = response.headers['retry-after'];
    throw new Error(`${detail}${retryAfter ? ` (Retry-After: ${retryAfter})` : ''}`);
  }
  throw new PermanentError(`${detail}: ${response.body.toString('utf8').slice(0, 200)}`);
}
