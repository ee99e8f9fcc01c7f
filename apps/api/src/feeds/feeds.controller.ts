import { Controller, Get, NotFoundException, Param, ParseEnumPipe, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { FEED_CONTENT_TYPES, FeedFormat, FeedsService } from './feeds.service';

const FORMATS = { rss: 'rss', atom: 'atom', json: 'json' } as const;

@Controller('feeds')
export class FeedsController {
  constructor(private readonly feeds: FeedsService) {}

  @Get('papers.:format')
  async papers(@Param('format', new ParseEnumPipe(FORMATS)) format: FeedFormat, @Res() res: Response): Promise<void> {
    res.set('cache-control', 'public, max-age=300').type(FEED_CONTENT_TYPES[format]).send(await this.feeds.latestPapers(format));
  }

  /** A subscriber's personal feed; the signed token is the only credential, so it is never cached by proxies. */
  @Get('subscription.:format')
  async subscription(
    @Param('format', new ParseEnumPipe(FORMATS)) format: FeedFormat,
    @Query('token') token: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const body = typeof token === 'string' ? await this.feeds.subscriptionFeed(token, format) : null;
    if (body === null) {
      throw new NotFoundException('No such feed');
    }
    res.set('cache-control', 'private, max-age=300').type(FEED_CONTENT_TYPES[format]).send(body);
  }
}
