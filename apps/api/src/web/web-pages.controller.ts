import { BadRequestException, Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { isUUID } from 'class-validator';
import { TOPICS } from '@libs/domain';
import { digestPaperPath, digestViewPath, voteFormModel } from '../digests/digest-page';
import { DigestsService } from '../digests/digests.service';
import { SearchPapersDto } from '../papers/dto/search-papers.dto';
import { PapersService } from '../papers/papers.service';
import { SimilarPapersService } from '../relevance/similar-papers.service';
import { readQuery, validateBody } from './web-forms';
import { badRequestPage, homePage, notFoundPage, paperPage, resultsPage, topicPage } from './web-pages';
import { itemToWebPaper, WebPapersService } from './web-papers.service';
import { WEB_JS } from './web-script';
import { FAVICON_SVG, WEB_CSS } from './web-styles';

const PAGE_SIZE = 20;
/** A listing day holds 50-150 papers: 30 a page keeps a phone's page short and the HTML light. */
const DAY_PAGE_SIZE = 30;
const PUBLIC_CACHE = 'public, max-age=60';
/** "More like this" on a paper page. */
const SIMILAR_PAPERS = 10;

/** The public, server-rendered pages: the day's papers, search, topics, one paper, and their stylesheet. */
@ApiTags('Web pages')
@Controller()
export class WebPagesController {
  constructor(
    private readonly web: WebPapersService,
    private readonly search: PapersService,
    private readonly digests: DigestsService,
    private readonly similarPapers: SimilarPapersService,
  ) {}

  // Files of the site, not part of the API.
  @ApiExcludeEndpoint()
  @Get('assets/paperboy.css')
  stylesheet(@Res() res: Response): void {
    res.set('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(WEB_CSS);
  }

  @ApiExcludeEndpoint()
  @Get('assets/paperboy.js')
  script(@Res() res: Response): void {
    res.set('cache-control', 'public, max-age=3600').type('text/javascript; charset=utf-8').send(WEB_JS);
  }

  @ApiExcludeEndpoint()
  @Get('favicon.ico')
  favicon(@Res() res: Response): void {
    res.set('cache-control', 'public, max-age=86400').redirect(301, `${this.web.site.base}/assets/favicon.svg`);
  }

  @ApiExcludeEndpoint()
  @Get('assets/favicon.svg')
  faviconSvg(@Res() res: Response): void {
    res.set('cache-control', 'public, max-age=86400').type('image/svg+xml').send(FAVICON_SVG);
  }

  /** The latest listing day (or `?date=`), most upvoted first, a page at a time; `?q=` searches every day. */
  @Get()
  async home(@Query() query: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const site = this.web.site;
    const { fields, problems } = readQuery(query, ['q', 'topic', 'date', 'page']);
    const { value, errors } = await validateBody(SearchPapersDto, fields);
    const shown = { q: typeof value.q === 'string' ? value.q : undefined, topic: value.topic, date: value.date };
    const messages = [...problems, ...Object.values(errors).flat()];
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
    const page = value.page ?? 1;
    const day = value.date ?? (await this.web.latestDay(topic));
    const empty = { papers: [], total: 0, previousDay: null, nextDay: null };
    const listing = day === null ? empty : await this.web.day(day, topic, page, DAY_PAGE_SIZE);
    this.html(res, 200, homePage(site, { day, topic: value.topic, page, pageSize: DAY_PAGE_SIZE, ...listing }));
  }

  @Get('topics/:slug')
  async topic(@Param('slug') slug: string, @Query() query: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const site = this.web.site;
    const topic = TOPICS.find((t) => t.slug === slug);
    if (!topic) {
      this.html(res, 404, notFoundPage(site, 'There is no such topic.'));
      return;
    }
    const { fields, problems } = readQuery(query, ['page']);
    const { value, errors } = await validateBody(SearchPapersDto, fields);
    const messages = [...problems, ...Object.values(errors).flat()];
    if (messages.length > 0) {
      this.html(res, 400, badRequestPage(site, messages));
      return;
    }
    const page = value.page ?? 1;
    const { papers, total } = await this.web.topic(topic.slug, page, PAGE_SIZE);
    this.html(res, 200, topicPage(site, { topic, papers, page, limit: PAGE_SIZE, total }));
  }

  /**
   * One paper, with "More like this". Opened from a digest's web view (`?digest=&token=`, the view's token) it
   * also offers the subscriber's 👍 / 👎 and the way back; any other query shows the public page.
   */
  @Get('papers/:id')
  @ApiQuery({ name: 'digest', required: false, description: 'Opened from this digest: its id (with `token`)' })
  @ApiQuery({ name: 'token', required: false, description: "The digest view's token: adds the paper's vote form" })
  async paper(
    @Param('id') id: string,
    @Query('digest') digestId: unknown,
    @Query('token') token: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const site = this.web.site;
    const paper = await this.web.paper(id);
    if (!paper) {
      this.html(res, 404, notFoundPage(site, 'There is no such paper.'));
      return;
    }
    const fromDigest =
      typeof digestId === 'string' && typeof token === 'string' && isUUID(digestId)
        ? await this.digests.paperContext(digestId, token, paper.id)
        : null;
    const similar = (await this.similarPapers.similar(paper.id, SIMILAR_PAPERS)).items.map(itemToWebPaper);
    const back = fromDigest ? digestViewPath(site, fromDigest.context) : null;
    const body = paperPage(site, paper, {
      similar,
      fromDigest:
        fromDigest && back
          ? { vote: voteFormModel(site, fromDigest.vote, digestPaperPath(site, paper.id, fromDigest.context)), back }
          : null,
    });
    // The subscriber's vote tokens are theirs alone: never in a shared cache.
    this.html(res, 200, body, fromDigest ? 'private, no-store' : PUBLIC_CACHE);
  }

  private html(res: Response, status: number, body: string, cache = PUBLIC_CACHE): void {
    res
      .status(status)
      .set('cache-control', status === 200 ? cache : 'no-store')
      .type('text/html; charset=utf-8')
      .send(body);
  }
}
