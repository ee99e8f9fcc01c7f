import { Injectable } from '@nestjs/common';
import type { SourceEntity } from '@libs/database';
import { HttpClient, HttpClientError, HttpResponse, redactUrl } from '@libs/http';
import { parseHfDailyPapers } from './hf-daily-papers.parser';
import { PermanentUpstreamError, SourceClient, SourceListings, UpstreamError } from './source-client';

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
      const response = await this.get(url);
      result.httpStatus = response.status;
      assertOk(response, source.url, listingDate, page);
      const parsed = parseHfDailyPapers(response.body.toString('utf8'));
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

  private async get(url: URL): Promise<HttpResponse> {
    try {
      return await this.http.request({ url: url.toString(), headers: { accept: 'application/json' } });
    } catch (error) {
      // A refused target, an oversized body or a redirect loop will not change on retry.
      if (error instanceof HttpClientError && !error.transient) {
        throw new PermanentUpstreamError(error.message, null);
      }
      throw error;
    }
  }
}

function assertOk(response: HttpResponse, sourceUrl: string, listingDate: string, page: number): void {
  if (response.status === 200) {
    return;
  }
  // The source URL may carry a token in its query: it is redacted, and only our own parameters are named.
  const detail = `${redactUrl(sourceUrl)} answered HTTP ${response.status} for date ${listingDate}, page ${page}`;
  if (response.status === 429 || response.status >= 500) {
    const retryAfter = response.headers['retry-after'];
    throw new UpstreamError(`${detail}${retryAfter ? ` (Retry-After: ${retryAfter})` : ''}`, response.status);
  }
  const body = response.body.toString('utf8').slice(0, 200).replace(/\s+/g, ' ');
  throw new PermanentUpstreamError(`${detail}: ${body}`, response.status);
}
