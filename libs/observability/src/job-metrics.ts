import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export type JobOutcome = 'completed' | 'failed' | 'unrecoverable' | 'delayed';

/**
 * How long jobs ran and how they ended, per queue and job name, recorded where jobs run. One histogram:
 * its `_count` counts jobs by outcome. Not in any registry by itself: each worker registry adds it.
 */
export const jobDuration = new Histogram({
  name: 'paperboy_job_duration_seconds',
  help: 'Jobs run by this process: duration in seconds, by queue, job name and outcome (completed, failed: retried while attempts remain, unrecoverable: no retry, delayed: rate-limited, put back without using an attempt)',
  labelNames: ['queue', 'name', 'outcome'],
  buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [],
});

export function recordJob(queue: string, name: string, outcome: JobOutcome, seconds: number): void {
  jobDuration.observe({ queue, name, outcome }, seconds);
}

/** A worker's registry: Node.js process metrics (prefixed `paperboy_<app>_`, like the api's) and the job figures. */
export function workerMetricsRegistry(app: string): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: `paperboy_${app}_` });
  registry.registerMetric(jobDuration);
  return registry;
}
