import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { SubscriberPages } from '../pages/pages';
import { voteBackLink, voteConfirmPage, voteDonePage } from '../web/vote-pages';
import { VoteLinksService } from './vote-links.service';

const PRIVATE = 'private, no-store';

/**
 * The vote links of digests: `GET /vote/{token}` shows the paper and one button, and records nothing (mail
 * scanners and Slack's unfurler fetch every link); `POST /vote` (form field `token`) records the vote and shows
 * it with an undo button. The digest's web view posts its forms here too, with `Accept: application/json` when
 * its script records without a page reload.
 */
@ApiTags('Web pages')
@Controller('vote')
export class VoteLinksController {
  constructor(
    private readonly votes: VoteLinksService,
    private readonly pages: SubscriberPages,
  ) {}

  @Get(':token')
  @ApiOperation({ summary: 'The page of a vote link: the paper and one button; records nothing' })
  @ApiParam({ name: 'token', description: 'A vote token from a digest (names subscription, paper, vote, source)' })
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'A page with one button that posts the token' })
  @ApiNotFoundResponse({ description: 'The token is not genuine, was revoked, or its paper is gone' })
  async page(@Param('token') token: string, @Res() res: Response): Promise<void> {
    const link = await this.votes.read(token);
    if (!link) {
      this.html(res, 404, this.pages.invalidLink());
      return;
    }
    this.html(
      res,
      200,
      voteConfirmPage(this.pages.site, {
        paper: link.paper,
        vote: link.claim.vote,
        back: null,
        token,
      }),
    );
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Records the vote a vote token names (idempotent; the last vote wins)' })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['token'],
      properties: {
        token: { type: 'string', description: 'The vote token' },
        back: { type: 'string', description: "A page of this site to link back to (a digest's web view)" },
      },
    },
  })
  @ApiProduces('text/html', 'application/json')
  @ApiOkResponse({
    description:
      'A page saying what was recorded, with an undo button; as JSON (Accept: application/json): ' +
      '{ paper: { id, title }, vote: "up" | "down" | "none", source, tokens: { up, down, none } }',
  })
  @ApiNotFoundResponse({ description: 'The token is not genuine, was revoked, or its paper is gone' })
  async cast(@Body() body: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const json = req.accepts(['text/html', 'application/json']) === 'application/json';
    const cast = typeof fields.token === 'string' ? await this.votes.cast(fields.token) : null;
    if (!cast) {
      if (json) {
        res.status(404).set('cache-control', PRIVATE).json({
          statusCode: 404,
          message: 'This vote link is not valid: mistyped, revoked, or its paper is gone',
        });
      } else {
        this.html(res, 404, this.pages.invalidLink());
      }
      return;
    }
    const { link, tokens } = cast;
    if (json) {
      res
        .status(200)
        .set('cache-control', PRIVATE)
        .json({
          paper: { id: link.paper.id, title: link.paper.title },
          vote: link.claim.vote,
          source: link.claim.source,
          tokens,
        });
      return;
    }
    const back = voteBackLink(this.pages.site, fields.back);
    this.html(res, 200, voteDonePage(this.pages.site, { paper: link.paper, vote: link.claim.vote, back, tokens }));
  }

  private html(res: Response, status: number, body: string): void {
    res.status(status).set('cache-control', PRIVATE).type('text/html; charset=utf-8').send(body);
  }
}
