import { Logger } from '@nestjs/common';
import { DelayedError, Job, JobsOptions, UnrecoverableError } from 'bullmq';
import { currentTrace, JobOutcome, newTraceId, recordJob, runWithTrace, saneTraceId } from '@libs/observability';

const logger = new Logger('Job');

/**
 * The trace id travels in the job's options, in BullMQ's own slot for propagating a trace context
 * (`telemetry.metadata`), not in its data: payloads stay exactly the contract's ids. BullMQ keeps it
 * across retries and delays. (Were BullMQ's OpenTelemetry integration ever configured, it would own
 * this slot instead.)
 */
export function withTrace(options: JobsOptions): JobsOptions {
  const trace = currentTrace();
  return trace ? { ...options, telemetry: { ...options.telemetry, metadata: trace.traceId } } : options;
}

/** The trace a job was queued in (or a new one: a scheduler's job, a CLI run), for the logs of its run. */
export function traceIdOf(job: Job): string {
  return saneTraceId(job.opts.telemetry?.metadata) ?? newTraceId();
}

/**
 * Runs a job's work inside its trace, so every log line carries the trace id and the job, and records
 * its duration and outcome (paperboy_job_duration_seconds).
 */
export async function runTracedJob<T>(job: Job, work: () => Promise<T>): Promise<T> {
  const context = { traceId: traceIdOf(job), job: { queue: job.queueName, name: job.name, id: job.id } };
  return runWithTrace(context, async () => {
    const started = process.hrtime.bigint();
    let outcome: JobOutcome = 'completed';
    try {
      return await work();
    } catch (error) {
      outcome =
        error instanceof DelayedError ? 'delayed' : error instanceof UnrecoverableError ? 'unrecoverable' : 'failed';
      throw error;
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      recordJob(job.queueName, job.name, outcome, seconds);
      logger.debug(`${job.name} ${job.id} ${outcome} in ${Math.round(seconds * 1000)} ms`);
    }
  });
}
