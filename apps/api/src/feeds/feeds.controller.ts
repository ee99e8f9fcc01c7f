import {
  BadRequestException,
  Controller,
  Get,
  NotFoundException,
  Param,
  ParseEnumPipe,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { RenderedFeed } from './feed-cache';
import { FEED_CONTENT_TYPES, FeedFormat, FeedsService } from './feeds.service';

const FORMATS = { rss: 'rss', atom: 'atom', json: 'json' } as const;
const formatPipe = (): ParseEnumPipe =>
  new ParseEnumPipe(FORMATS, {
    exceptionFactory: () => new BadRequestException('The feed format must be rss, atom or json (e.g. papers.rss)'),
  });
const PUBLIC_CACHE = 'public, max-age=300';
/** A personal feed's token is its only credential, so shared caches must not keep it. */
const PRIVATE_CACHE = 'private, max-age=300';

@Controller('feeds')
export class FeedsController {
  constructor(private readonly feeds: FeedsService) {}

  /** All papers, or those matching `?q=` (web search syntax, as GET /api/papers). */
  @Get('papers.:format')
  async papers(
    @Param('format', formatPipe()) format: FeedFormat,
    @Query('q') q: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    send(req, res, format, PUBLIC_CACHE, await this.feeds.publicFeed({ format, q }));
  }

  /** One topic's papers, optionally narrowed by `?q=`. */
  @Get('topics/:slug.:format')
  async topic(
    @Param('slug') slug: string,
    @Param('format', formatPipe()) format: FeedFormat,
    @Query('q') q: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    send(req, res, format, PUBLIC_CACHE, await this.feeds.publicFeed({ format, topic: slug, q }));
  }

  @Get('subscription.:format')
  async subscription(
    @Param('format', formatPipe()) format: FeedFormat,
    @Query('token') token: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const feed = typeof token === 'string' ? await this.feeds.subscriptionFeed(token, format) : null;
    if (feed === null) {
      throw new NotFoundException('No such feed');
    }
    send(req, res, format, PRIVATE_CACHE, feed);
  }
}

/**
 * Sends the gzip bytes to readers that accept them (compressed once per rendering, not per request), and 304 when
 * the reader's If-None-Match or If-Modified-Since says it has this representation already. Written with plain
 * Node calls: res.send would parse the content type and check freshness a second time on every poll.
 */
function send(req: Request, res: Response, format: FeedFormat, cacheControl: string, feed: RenderedFeed): void {
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
