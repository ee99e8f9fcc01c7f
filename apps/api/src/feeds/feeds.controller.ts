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
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { PRIVATE_CACHE, PUBLIC_CACHE, sendFeed } from './feed-response';
import { FeedFormat, FeedsService } from './feeds.service';

const FORMATS = { rss: 'rss', atom: 'atom', json: 'json' } as const;
const formatPipe = (): ParseEnumPipe =>
  new ParseEnumPipe(FORMATS, {
    exceptionFactory: () => new BadRequestException('The feed format must be rss, atom or json (e.g. papers.rss)'),
  });

@ApiTags('Feeds')
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
    sendFeed(req, res, format, PUBLIC_CACHE, await this.feeds.publicFeed({ format, q }));
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
    sendFeed(req, res, format, PUBLIC_CACHE, await this.feeds.publicFeed({ format, topic: slug, q }));
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
    sendFeed(req, res, format, PRIVATE_CACHE, feed);
  }
}
