import { BadRequestException, Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { TOPICS } from '@libs/domain';
import { SearchPapersDto } from '../papers/dto/search-papers.dto';
import { PapersService } from '../papers/papers.service';
import { validateBody } from './web-forms';
import { homePage, notFoundPage, paperPage, resultsPage, topicPage } from './web-pages';
import { itemToWebPaper, WebPapersService } from './web-papers.service';
import { WEB_JS } from './web-script';
import { WEB_CSS } from './web-styles';

const PAGE_SIZE = 20;
const PUBLIC_CACHE = 'public, max-age=60';

/** Query fields the pages read; others (utm_*, a stray `page` on a day) are ignored rather than refused. */
const first = (value: unknown): unknown => (Array.isArray(value) ? (value as unknown[])[0] : value);
const present = (value: unknown): unknown => (value === '' ? undefined : value);

/** The public, server-rendered pages: the day's papers, search, topics, one paper, and their stylesheet. */
@Controller()
export class WebPagesController {
  constructor(
    private readonly web: WebPapersService,
    private readonly search: PapersService,
  ) {}

  @Get('assets/paperboy.css')
  stylesheet(@Res() res: Response): void {
    res.set('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(WEB_CSS);
  }

  @Get('assets/paperboy.js')
  script(@Res() res: Response): void {
    res.set('cache-control', 'public, max-age=3600').type('text/javascript; charset=utf-8').send(WEB_JS);
  }

  /** The latest listing day (or `?date=`), most upvoted first; `?q=` searches every day instead. */
  @Get()
  async home(@Query() query: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const site = this.web.site;
    const raw = {
      q: query.q,
      topic: present(first(query.topic)),
      date: present(first(query.date)),
      page: present(first(query.page)),
    };
    const { value, errors } = await validateBody(
      SearchPapersDto,
      Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)),
    );
    const shown = { q: typeof value.q === 'string' ? value.q : undefined, topic: value.topic, date: value.date };
    const messages = Object.values(errors).flat();
    if (messages.length > 0) {
      this.html(
        res,
        400,
        resultsPage(site, { ...shown, papers: [], page: 1, limit: PAGE_SIZE, total: 0, errors: messages }),
      );
      return;
    }
    if (value.q !== undefined) {
      try {
        const found = await this.search.search({ ...value, limit: PAGE_SIZE });
        const papers = found.items.map(itemToWebPaper);
        this.html(
          res,
          200,
          resultsPage(site, { ...shown, papers, page: found.page, limit: found.limit, total: found.total, errors: [] }),
        );
      } catch (error) {
        // A query of stop words only: named like the API names it.
        if (!(error instanceof BadRequestException)) {
          throw error;
        }
        const body = error.getResponse() as { message?: string | string[] };
        const message = [body.message ?? error.message].flat();
        this.html(
          res,
          400,
          resultsPage(site, { ...shown, papers: [], page: 1, limit: PAGE_SIZE, total: 0, errors: message }),
        );
      }
      return;
    }
    const topic = value.topic ?? null;
    const day = value.date ?? (await this.web.latestDay(topic));
    if (day === null) {
      this.html(
        res,
        200,
        homePage(site, { day: null, topic: value.topic, papers: [], total: 0, previousDay: null, nextDay: null }),
      );
      return;
    }
    const listing = await this.web.day(day, topic);
    this.html(res, 200, homePage(site, { day, topic: value.topic, ...listing }));
  }

  @Get('topics/:slug')
  async topic(@Param('slug') slug: string, @Query('page') page: unknown, @Res() res: Response): Promise<void> {
    const topic = TOPICS.find((t) => t.slug === slug);
    if (!topic) {
      this.html(res, 404, notFoundPage(this.web.site, 'There is no such topic.'));
      return;
    }
    const requested = typeof page === 'string' && /^\d{1,4}$/.test(page) ? Number(page) : 1;
    const found = await this.search.search({ topic: topic.slug, page: Math.max(1, requested), limit: PAGE_SIZE });
    const papers = found.items.map(itemToWebPaper);
    this.html(
      res,
      200,
      topicPage(this.web.site, { topic, papers, page: found.page, limit: found.limit, total: found.total }),
    );
  }

  @Get('papers/:id')
  async paper(@Param('id') id: string, @Res() res: Response): Promise<void> {
    const paper = await this.web.paper(id);
    if (!paper) {
      this.html(res, 404, notFoundPage(this.web.site, 'There is no such paper.'));
      return;
    }
    this.html(res, 200, paperPage(this.web.site, paper));
  }

  private html(res: Response, status: number, body: string): void {
    res
      .status(status)
      .set('cache-control', status === 200 ? PUBLIC_CACHE : 'no-store')
      .type('text/html; charset=utf-8')
      .send(body);
  }
}
