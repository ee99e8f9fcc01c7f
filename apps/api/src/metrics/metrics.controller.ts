import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AdminGuard } from '../admin/admin.guard';
import { MetricsService } from './metrics.service';

/** Prometheus scrape endpoint; scrape it with `authorization: Bearer <ADMIN_TOKEN>`. */
@ApiTags('Metrics')
@Controller('metrics')
@UseGuards(AdminGuard)
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  async scrape(@Res() res: Response): Promise<void> {
    res.type(this.metrics.registry.contentType).send(await this.metrics.metrics());
  }
}
