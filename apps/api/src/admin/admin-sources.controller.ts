import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { SourceHealth, SourceRepository } from '@libs/database';
import { redactUrl } from '@libs/http';
import { AdminGuard } from './admin.guard';

/** Source health for operators and their monitoring, the same as `npm run cli -- sources status`. */
@ApiTags('Admin')
@Controller('api/admin/sources')
@UseGuards(AdminGuard)
export class AdminSourcesController {
  constructor(private readonly sources: SourceRepository) {}

  @Get()
  async list(): Promise<SourceHealth[]> {
    // A source URL may carry a token in its query string.
    return (await this.sources.health()).map((source) => ({ ...source, url: redactUrl(source.url) }));
  }
}
