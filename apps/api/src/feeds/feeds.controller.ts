import { Controller, Get, Header } from '@nestjs/common';
import { FeedsService } from './feeds.service';

@Controller('feeds')
export class FeedsController {
  constructor(private readonly feeds: FeedsService) {}

  @Get('papers.rss')
  @Header('content-type', 'application/rss+xml; charset=utf-8')
  @Header('cache-control', 'public, max-age=300')
  papers(): Promise<string> {
    return this.feeds.latestPapersRss();
  }
}
