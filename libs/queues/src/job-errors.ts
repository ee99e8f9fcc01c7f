import { DelayedError, Job, UnrecoverableError } from 'bullmq';
import { PermanentError, RetryLaterError } from '@libs/domain';
import { runTracedJob } from './job-telemetry';

/**
 * Maps domain errors at the queue boundary: permanent ones stop retries, a rate limit delays the job
 * without using up an attempt, anything else propagates for the job's backoff.
 */
export async function runJob<T>(job: Job, token: string | undefined, work: () => Promise<T>): Promise<T> {
  // Inside the job's trace, timed (see job-telemetry.ts).
  return runTracedJob(job, async () => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof PermanentError) {
        throw new UnrecoverableError(error.message);
      }
      // A job of one attempt (an operator's CLI run) is waited on now: it fails rather than waits.
      if (error instanceof RetryLaterError && token && (job.opts.attempts ?? 1) > 1) {
        await job.moveToDelayed(Date.now() + error.delayMs, token);
        throw new DelayedError(error.message);
      }
      throw error;
    }
  });
}
