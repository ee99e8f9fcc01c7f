import { Controller, Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
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
