import { WorkerHost } from '@nestjs/bullmq';
import {
  HealthIndicatorFunction,
  HealthIndicatorResult,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { JobProducer } from './job-producer';
import { QueueName } from './queue-contract';

const TIMEOUT_MS = 3000;

/**
 * Ready: Postgres and Redis answer within 3 s. Redis commands wait forever on a lost connection (BullMQ
 * needs maxRetriesPerRequest: null), hence the timeout on the ping too.
 */
export function readinessChecks(
  database: TypeOrmHealthIndicator,
  indicators: HealthIndicatorService,
  producer: JobProducer,
): HealthIndicatorFunction[] {
  return [
    () => database.pingCheck('database', { timeout: TIMEOUT_MS }),
    () =>
      indicators
        .check('redis')
        .attempt(async () => {
          await (await producer.queue(QueueName.Fetch).backend.client).runCommand('ping', []);
        })
        .withTimeout(TIMEOUT_MS),
  ];
}

/**
 * Live: the process answers (its event loop turns), and each BullMQ worker it hosts is running. A lost
 * Redis does not make a process dead: its workers reconnect on their own, and /health/ready says so.
 */
export function livenessChecks(
  indicators: HealthIndicatorService,
  workers: WorkerHost[],
): (() => HealthIndicatorResult)[] {
  const process = (): HealthIndicatorResult =>
    indicators.check('process').up({ uptimeSeconds: Math.round(globalThis.process.uptime()) });
  if (workers.length === 0) {
    return [process];
  }
  return [
    process,
    () => {
      const stopped = workers.filter((host) => !host.worker.isRunning()).map((host) => host.worker.name);
      const queues = workers.map((host) => host.worker.name);
      return stopped.length === 0
        ? indicators.check('workers').up({ queues })
        : indicators.check('workers').down({ queues, stopped });
    },
  ];
}
