import { UnrecoverableError } from 'bullmq';
import { PermanentError } from '@libs/domain';

/** Maps domain errors at the queue boundary: permanent ones stop retries, the rest propagate for backoff. */
export async function runJob<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PermanentError) {
      throw new UnrecoverableError(error.message);
    }
    throw error;
  }
}
