import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { JobProducer } from '@libs/queues';
import { livenessChecks, readinessChecks } from '@libs/queues/health-checks';

/**
 * Probes, the same on every app: live (the process answers), ready (Postgres and Redis answer; 503
 * otherwise). GET /health is ready under its older name.
 */
@ApiTags('Health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly producer: JobProducer,
  ) {}

  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check(livenessChecks(this.indicators, []));
  }

  @Get(['ready', ''])
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check(readinessChecks(this.database, this.indicators, this.producer));
  }
}
