import { Controller, Get, Header, NotFoundException, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import type { DigestView } from '@libs/domain';
import type { Response } from 'express';
import { SubscriberPages } from '../pages/pages';
import { digestPage } from './digest-page';
import { DigestsService } from './digests.service';

@Controller('digests')
export class DigestsController {
  constructor(
    private readonly digests: DigestsService,
    private readonly pages: SubscriberPages,
  ) {}

  @Get(':id')
  async view(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query('token') token: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const view = typeof token === 'string' ? await this.digests.view(id, token) : null;
    res
      .status(view ? 200 : 404)
      .set('cache-control', 'private, no-store')
      .type('text/html; charset=utf-8')
      .send(view ? digestPage(this.pages.site, view) : this.pages.invalidLink());
  }
}

/** The same digest as JSON, for scripts and other clients: the view every channel renders. */
@Controller('api/digests')
export class DigestsApiController {
  constructor(private readonly digests: DigestsService) {}

  @Get(':id')
  @Header('cache-control', 'private, no-store')
  async read(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query('token') token: unknown,
  ): Promise<DigestView & { id: string }> {
    const view = typeof token === 'string' ? await this.digests.view(id, token) : null;
    if (!view) {
      throw new NotFoundException('No such digest, or the link is not valid');
    }
    return { id, ...view };
  }
}
