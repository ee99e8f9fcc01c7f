import { Injectable } from '@nestjs/common';
import type { SourceEntity } from '@libs/database';
import { redactUrl } from '@libs/http';
import { ArxivApiPage, ArxivApiQueryError, parseArxivApi } from './arxiv-api.parser';
import { decodeXml } from '../shared/feed-text';
import { withoutDetails } from '../shared/parse-result';
import { ListingMode, PermanentUpstreamError, SourceClient, SourceListings, UpstreamError } from '../shared/source-client';
import { SourceHttp, sourcePrefix } from '../shared/source-http';

/** Far below the API's 2,000 a slice: rss-parser holds a whole page in memory as a tree. */
export const ARXIV_API_PAGE_SIZE = 200;
/** Ids per lookup request: a GET's URL stays well under the limits of servers and proxies. */
export const ARXIV_API_LOOKUP_SIZE = 100;
/** 5,000 papers submitted in a day: more than any set of categories gets. */
const MAX_PAGES = 25;

/**
 * The arXiv query API for one submission date: the source's `search_query` (say `cat:cs.LG OR cat:cs.CL`)
 * AND `submittedDate:[YYYYMMDD0000 TO YYYYMMDD2359]` (GMT), sorted by submission, paged with `start` and
 * `max_results` until `opensearch:totalResults` is reached.
 */
@Injectable()
export class ArxivApiClient implements SourceClient {
  // Today's submissions reach the API only after tonight's announcement; a Friday afternoon's only on
  // Tuesday (announced Monday evening, in the API from midnight): the last five dates are asked again.
  readonly mode: ListingMode = { kind: 'dated', lagDays: 1, refetchDays: 5, calendar: 'arxiv' };

  constructor(private readonly http: SourceHttp) {}

  async fetchListings(source: SourceEntity, listingDate: string, fetchedAt: Date): Promise<SourceListings> {
    const query = listingQuery(source, listingDate);
    const result: SourceListings = { listings: [], problems: [], httpStatus: 0 };
    const seen = new Set<string>();
    let start = 0;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const url = new URL(source.url);
      url.searchParams.set('search_query', query);
      url.searchParams.set('sortBy', 'submittedDate');
      url.searchParams.set('sortOrder', 'ascending');
      url.searchParams.set('start', String(start));
      url.searchParams.set('max_results', String(ARXIV_API_PAGE_SIZE));
      const detail = `for ${listingDate}, start ${start}`;
      const response = await this.http.get(source, { url: url.toString(), accept: 'application/atom+xml', detail });
      result.httpStatus = response.status;
      const parsed = await this.parse(source, response.body, response.headers['content-type'], fetchedAt, detail);
      result.problems.push(...parsed.problems.map((problem) => `start ${start}: ${problem}`));
      for (const listing of parsed.listings) {
        // Paging over a result set that grows in between can repeat an entry: keep the first quietly.
        if (!seen.has(listing.externalId)) {
          seen.add(listing.externalId);
          result.listings.push(withoutDetails(listing));
        }
      }
      start += parsed.entries;
      const total = parsed.totalResults;
      if (parsed.entries === 0 && total !== null && start < total) {
        // The API sometimes answers an empty page under load; asking again later usually works.
        throw new UpstreamError(
          `${sourcePrefix(source)}${redactUrl(source.url)} answered an empty page ${detail} of ${total} results`,
          response.status,
        );
      }
      if (total !== null ? start >= total : parsed.entries < ARXIV_API_PAGE_SIZE) {
        return result;
      }
    }
    result.problems.push(`stopped after ${MAX_PAGES} pages of ${ARXIV_API_PAGE_SIZE}; later pages were not fetched`);
    return result;
  }

  /**
   * Looks papers up by id (`id_list`, up to ARXIV_API_LOOKUP_SIZE a request): their latest version, or the
   * one asked for. The source's `search_query` is left out, since the API would intersect it with the ids.
   * Ids the API does not know are noted on the run, not an error.
   */
  async lookup(source: SourceEntity, arxivIds: string[], fetchedAt: Date): Promise<SourceListings> {
    const result: SourceListings = { listings: [], problems: [], httpStatus: 0 };
    const found = new Set<string>();
    for (let start = 0; start < arxivIds.length; start += ARXIV_API_LOOKUP_SIZE) {
      const chunk = arxivIds.slice(start, start + ARXIV_API_LOOKUP_SIZE);
      const url = new URL(source.url);
      url.searchParams.delete('search_query');
      url.searchParams.set('id_list', chunk.join(','));
      url.searchParams.set('max_results', String(chunk.length));
      const detail = `for ids ${chunk[0]}${chunk.length > 1 ? ` to ${chunk[chunk.length - 1]} (${chunk.length})` : ''}`;
      const response = await this.http.get(source, { url: url.toString(), accept: 'application/atom+xml', detail });
      result.httpStatus = response.status;
      const parsed = await this.parse(source, response.body, response.headers['content-type'], fetchedAt, detail);
      result.problems.push(...parsed.problems);
      for (const listing of parsed.listings) {
        if (listing.arxivId && !found.has(listing.arxivId)) {
          found.add(listing.arxivId);
          result.listings.push(withoutDetails(listing));
        }
      }
    }
    const missing = arxivIds.filter((id) => !found.has(id.replace(/v\d+$/, '')));
    if (missing.length > 0) {
      result.problems.push(`the arXiv API does not know ${missing.join(', ')}`);
    }
    return result;
  }

  private async parse(
    source: SourceEntity,
    body: Buffer,
    contentType: string | undefined,
    fetchedAt: Date,
    detail: string,
  ): Promise<ArxivApiPage> {
    try {
      return await parseArxivApi(decodeXml(body, contentType), fetchedAt);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const message = `${sourcePrefix(source)}${redactUrl(source.url)} ${detail}: ${reason}`;
      // The error feed says the query is wrong: asking again will not help. A broken body may be a hiccup.
      throw error instanceof ArxivApiQueryError
        ? new PermanentUpstreamError(message, 200)
        : new UpstreamError(message, 200);
    }
  }
}

/** The source's selection AND the listing date; the selection is grouped when it has operators. */
export function listingQuery(source: SourceEntity, listingDate: string): string {
  const selection = new URL(source.url).searchParams.get('search_query')?.trim();
  if (!selection) {
    throw new PermanentUpstreamError(
      `${sourcePrefix(source)}${redactUrl(source.url)} has no search_query; set categories or a search_query in the sources file`,
      null,
    );
  }
  const day = listingDate.replaceAll('-', '');
  const grouped = /\s/.test(selection) ? `(${selection})` : selection;
  return `${grouped} AND submittedDate:[${day}0000 TO ${day}2359]`;
}
