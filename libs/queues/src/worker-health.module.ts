import { WorkerHost } from '@nestjs/bullmq';
import { Controller, DynamicModule, Get, Inject, Injectable, Module, Res, Type } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService } from '@nestjs/core';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
  TerminusModule,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import type { Response } from 'express';
import { Registry } from 'prom-client';
import { workerMetricsRegistry } from '@libs/observability';
import { livenessChecks, readinessChecks } from './health-checks';
import { JobProducer } from './job-producer';
import { QueuesModule } from './queues.module';

const WORKER_APP = Symbol('WORKER_APP');

/** The registry of this worker app: process metrics and the durations and outcomes of its jobs. */
@Injectable()
export class WorkerMetrics {
  readonly registry: Registry;

  constructor(@Inject(WORKER_APP) app: string) {
    this.registry = workerMetricsRegistry(app);
  }
}

/**
 * A worker's probes and scrape endpoint, on HEALTH_PORT. Unauthenticated like any probe: the port is
 * for the orchestrator and Prometheus, not the public, and shows no ledger data (the api's /metrics does).
 */
@Controller()
export class WorkerHealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly producer: JobProducer,
    private readonly discovery: DiscoveryService,
    private readonly metrics: WorkerMetrics,
  ) {}

  @Get('health/live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    const workers = this.discovery
      .getProviders()
      .map((wrapper) => wrapper.instance as unknown)
      .filter((instance): instance is WorkerHost => instance instanceof WorkerHost);
    return this.health.check(livenessChecks(this.indicators, workers));
  }

  @Get('health/ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check(readinessChecks(this.database, this.indicators, this.producer));
  }

  @Get('metrics')
  async scrape(@Res() res: Response): Promise<void> {
    res.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}

/**
 * The root module of a worker process: its app module plus the health endpoints. Wrapping leaves the
 * app modules untouched; the Postgres and Redis connections are the app's own (same module instances).
 */
@Module({})
export class WorkerHealthModule {
  static wrap(app: string, appModule: Type<unknown>): DynamicModule {
    return {
      module: WorkerHealthModule,
      imports: [appModule, QueuesModule, TerminusModule, DiscoveryModule],
      controllers: [WorkerHealthController],
      providers: [{ provide: WORKER_APP, useValue: app }, WorkerMetrics],
    };
  }
}
