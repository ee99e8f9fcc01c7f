import { Controller, Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { INVALID_LINK } from '../pages/pages';
import { DigestsService } from './digests.service';

@Controller('digests')
export class DigestsController {
  constructor(private readonly digests: DigestsService) {}

  @Get(':id')
  async view(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query('token') token: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const html = typeof token === 'string' ? await this.digests.page(id, token) : null;
    res
      .status(html ? 200 : 404)
      .set('cache-control', 'private, no-store')
      .type('text/html; charset=utf-8')
      .send(html ?? INVALID_LINK);
  }
}
