import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { RenderedFeed } from './feed-cache';
import { FEED_CONTENT_TYPES, FeedFormat, FeedsService } from './feeds.service';

export const PUBLIC_CACHE = 'public, max-age=300';
/** A personal feed's token is its only credential, so shared caches must not keep it. */
export const PRIVATE_CACHE = 'private, max-age=300';

/**
 * Sends the gzip bytes to readers that accept them (compressed once per rendering, not per request), and 304 when
 * the reader's If-None-Match or If-Modified-Since says it has this representation already. Written with plain
 * Node calls: res.send would parse the content type and check freshness a second time on every poll.
 */
export function sendFeed(
  req: Request,
  res: Response,
  format: FeedFormat,
  cacheControl: string,
  feed: RenderedFeed,
): void {
  const gzip = req.acceptsEncodings('gzip', 'identity') === 'gzip';
  const bytes = gzip ? feed.gzip : feed.identity;
  res.setHeader('cache-control', cacheControl);
  res.setHeader('etag', bytes.etag);
  res.setHeader('last-modified', feed.lastModified.toUTCString());
  res.setHeader('vary', 'Accept-Encoding');
  if (req.fresh) {
    res.status(304).end();
    return;
  }
  res.setHeader('content-type', FEED_CONTENT_TYPES[format]);
  if (gzip) {
    res.setHeader('content-encoding', 'gzip');
  }
  res.setHeader('content-length', bytes.body.length);
  res.status(200).end(bytes.body);
}

const PUBLIC_FEED_PATH = /^\/(?:papers|topics\/([^/]+))\.(rss|atom|json)$/;

/**
 * Answers polls of public feeds already rendered straight from memory, before Nest's router, pipes and
 * access log: a feed reader's poll then costs about what a static file costs. Anything else (a feed not
 * rendered yet, a stale papers version, a bad topic or query, a personal feed) goes on to FeedsController,
 * which renders, checks and logs. Mounted after helmet, so the answer carries the same headers.
 */
export function feedFastPath(feeds: FeedsService): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    const match = req.method === 'GET' || req.method === 'HEAD' ? PUBLIC_FEED_PATH.exec(req.path) : null;
    const format = match?.[2] as FeedFormat | undefined;
    const feed =
      match && format ? feeds.cachedPublicFeed({ format, topic: match[1], q: req.query.q }) : null;
    if (!feed || !format) {
      next();
      return;
    }
    sendFeed(req, res, format, PUBLIC_CACHE, feed);
  };
}
