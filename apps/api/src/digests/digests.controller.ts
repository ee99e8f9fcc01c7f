import { Controller, Get, Header, NotFoundException, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { DigestView } from '@libs/domain';
import { isUUID } from 'class-validator';
import type { Response } from 'express';
import { SubscriberPages } from '../pages/pages';
import { digestPage } from './digest-page';
import { DigestsService } from './digests.service';

@ApiTags('Digests')
@Controller('digests')
export class DigestsController {
  constructor(
    private readonly digests: DigestsService,
    private readonly pages: SubscriberPages,
  ) {}

  /** A malformed id is a bad link like any other: the same 404 page, in the site's layout. */
  @Get(':id')
  async view(@Param('id') id: string, @Query('token') token: unknown, @Res() res: Response): Promise<void> {
    const page = typeof token === 'string' && isUUID(id) ? await this.digests.page(id, token) : null;
    res
      .status(page ? 200 : 404)
      .set('cache-control', 'private, no-store')
      .type('text/html; charset=utf-8')
      .send(page ? digestPage(this.pages.site, page) : this.pages.invalidLink());
  }
}

/** The same digest as JSON, for scripts and other clients: the view every channel renders. */
@ApiTags('Digests')
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
