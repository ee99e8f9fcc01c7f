import { Injectable } from '@nestjs/common';
import type { SourceEntity } from '@libs/database';
import { redactUrl } from '@libs/http';
import { parseArxivFeed } from '../arxiv/arxiv-feed.parser';
import { decodeXml } from '../shared/feed-text';
import { ParseResult, withoutDetails } from '../shared/parse-result';
import { parseRssFeed } from './rss.parser';
import { ListingMode, SourceClient, SourceListings, UpstreamError } from '../shared/source-client';
import { FEED_ACCEPT, SourceHttp, sourcePrefix, validatorsOf } from '../shared/source-http';

/**
 * A feed: one conditional GET of the source's URL (a 304 means nothing new), its bytes decoded and parsed.
 * The listing date is the fetch date; each item keeps its own date.
 */
// Decorated so that its constructor's parameter types are recorded for the subclasses' injection.
@Injectable()
abstract class FeedClient implements SourceClient {
  readonly mode: ListingMode = { kind: 'feed' };

  constructor(private readonly http: SourceHttp) {}

  protected abstract parse(xml: string, fetchedAt: Date): Promise<ParseResult>;

  async fetchListings(source: SourceEntity, _listingDate: string, fetchedAt: Date): Promise<SourceListings> {
    const stored = { etag: source.etag, lastModified: source.lastModified };
    const response = await this.http.get(source, {
      url: source.url,
      accept: FEED_ACCEPT,
      validators: stored.etag || stored.lastModified ? stored : undefined,
    });
    const movedTo = response.permanentRedirect && response.url !== source.url ? response.url : undefined;
    if (response.status === 304) {
      return { listings: [], problems: [], httpStatus: 304, movedTo };
    }
    let parsed: ParseResult;
    try {
      parsed = await this.parse(decodeXml(response.body, response.headers['content-type']), fetchedAt);
    } catch (error) {
      // An HTML error page or a cut-off body served with 200 is often gone on the next try.
      const reason = error instanceof Error ? error.message : String(error);
      throw new UpstreamError(`${sourcePrefix(source)}${redactUrl(response.url)}: ${reason}`, response.status);
    }
    return { ...parsed, httpStatus: response.status, validators: validatorsOf(response), movedTo };
  }
}

/** arXiv's announcement feeds, RSS 2.0 or Atom: `https://rss.arxiv.org/rss/cs.LG+cs.CL`. */
@Injectable()
export class ArxivRssClient extends FeedClient {
  protected async parse(xml: string, fetchedAt: Date): Promise<ParseResult> {
    const { listings, problems } = await parseArxivFeed(xml, fetchedAt);
    return { listings: listings.map(withoutDetails), problems };
  }
}

/** Any RSS or Atom feed: a journal, a blog, bioRxiv. */
@Injectable()
export class RssClient extends FeedClient {
  protected parse(xml: string, fetchedAt: Date): Promise<ParseResult> {
    return parseRssFeed(xml, fetchedAt);
  }
}
