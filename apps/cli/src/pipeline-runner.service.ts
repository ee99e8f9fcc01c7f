import { Injectable } from '@nestjs/common';
import { Job, JobsOptions, Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { Settings, withoutCredentials } from '@libs/config';
import {
  DeliveryRepository,
  DigestRepository,
  FetchRunRepository,
  ListingRepository,
  SourceRepository,
} from '@libs/database';
import { JobName, JobProducer, JobResults, QueueName } from '@libs/queues';

const POLL_MS = 250;
const SERVICE_NAMES: Record<QueueName, string> = {
  [QueueName.Fetch]: 'fetcher',
  [QueueName.Classify]: 'classifier',
  [QueueName.Notify]: 'notifier',
  [QueueName.Embed]: 'classifier',
};

export class CliError extends Error {}

/**
 * What the operator commands do: put work on the running services' queues and wait until it has
 * gone all the way through, reading the outcome from Postgres.
 */
@Injectable()
export class PipelineRunner {
  constructor(
    private readonly settings: Settings,
    private readonly producer: JobProducer,
    private readonly sources: SourceRepository,
    private readonly runs: FetchRunRepository,
    private readonly listings: ListingRepository,
    private readonly digests: DigestRepository,
    private readonly deliveries: DeliveryRepository,
  ) {}

  /** Fetches the given source (or every enabled one) and waits until the new listings are classified. */
  async fetch(options: { sourceId?: string; date?: string; timeoutMs: number; attempts: number }): Promise<string> {
    await this.assertRunning([QueueName.Fetch, QueueName.Classify]);
    const deadline = Date.now() + options.timeoutMs;
    const sourceIds = options.sourceId ? [options.sourceId] : (await this.sources.findEnabled()).map((s) => s.id);
    if (sourceIds.length === 0) {
      throw new CliError('No source to fetch: the fetcher has not loaded a sources file yet, or it lists none');
    }
    if (options.sourceId && !(await this.sources.findById(options.sourceId))) {
      throw new CliError(`Unknown source "${options.sourceId}": it is not in the sources file the fetcher loaded`);
    }
    const jobs = await Promise.all(
      sourceIds.map((sourceId) =>
        this.producer.enqueue(
          JobName.SourceFetch,
          { sourceId, date: options.date },
          { jobId: `cli-fetch-${sourceId}-${randomUUID()}`, ...cliRetries(options.attempts) },
        ),
      ),
    );
    const results = await Promise.all(
      jobs.map((job) => this.waitForJob<JobResults[JobName.SourceFetch]>(job, deadline)),
    );
    const runIds = results.flatMap((result) => result.fetchRunIds);
    await this.waitUntil(deadline, async () => (await this.listings.countUnclassified(runIds)) === 0, 'classification');
    const runs = await this.runs.findByIds(runIds);
    const seen = runs.reduce((sum, run) => sum + run.itemsSeen, 0);
    const fresh = runs.reduce((sum, run) => sum + run.itemsNew, 0);
    const skipped = runs.filter((run) => run.error).length;
    return `Fetched ${sourceIds.length} source(s)${options.date ? ` for ${options.date}` : ''}: ${seen} listed, ${fresh} new, all classified${
      skipped > 0 ? ` (${skipped} run(s) skipped malformed items; see fetch_runs.error)` : ''
    }.`;
  }

  /** Looks papers up by arXiv id on an arxiv-api source and waits until the new listings are classified. */
  async lookup(options: {
    sourceId: string;
    arxivIds: string[];
    timeoutMs: number;
    attempts: number;
  }): Promise<string> {
    await this.assertRunning([QueueName.Fetch, QueueName.Classify]);
    const deadline = Date.now() + options.timeoutMs;
    const job = await this.producer.enqueue(
      JobName.SourceLookup,
      { sourceId: options.sourceId, arxivIds: options.arxivIds },
      { jobId: `cli-lookup-${options.sourceId}-${randomUUID()}`, ...cliRetries(options.attempts) },
    );
    const { fetchRunIds } = await this.waitForJob<JobResults[JobName.SourceLookup]>(job, deadline);
    await this.waitUntil(
      deadline,
      async () => (await this.listings.countUnclassified(fetchRunIds)) === 0,
      'classification',
    );
    const [run] = await this.runs.findByIds(fetchRunIds);
    return `Looked up ${options.arxivIds.length} id(s) on ${options.sourceId}: ${run.itemsSeen} found, ${run.itemsNew} new, all classified${
      run.error ? ` (${run.error.split('\n').join('; ')})` : ''
    }.`;
  }

  /** Runs the digest tick as if the clock read `now` and waits until every digest it claimed is delivered. */
  async sendDigests(options: { now: Date; timeoutMs: number }): Promise<{ summary: string; failed: number }> {
    await this.assertRunning([QueueName.Notify]);
    const deadline = Date.now() + options.timeoutMs;
    const job = await this.producer.enqueue(
      JobName.DigestQueueAll,
      { now: options.now.toISOString() },
      { jobId: `cli-digest-${randomUUID()}`, attempts: 1 },
    );
    const { digestIds } = await this.waitForJob<JobResults[JobName.DigestQueueAll]>(job, deadline);
    await this.waitUntil(
      deadline,
      async () => {
        const digests = await this.digests.findByIds(digestIds);
        const deliveries = await this.deliveries.deliveriesOf(digestIds);
        return (
          digests.every((d) => d.status !== 'pending') &&
          deliveries.every((d) => d.status === 'sent' || d.status === 'failed')
        );
      },
      'digest delivery',
    );
    const digests = await this.digests.findByIds(digestIds);
    const deliveries = await this.deliveries.deliveriesOf(digestIds);
    const count = (status: string): number => digests.filter((d) => d.status === status).length;
    const sent = deliveries.filter((d) => d.status === 'sent');
    const failed = deliveries.filter((d) => d.status === 'failed');
    const byChannel = (channel: string): number => sent.filter((d) => d.channel === channel).length;
    const summary =
      `Digests due at ${options.now.toISOString()}: ${digestIds.length} (${count('sent')} sent, ${count('empty')} empty, ` +
      `${count('failed')} failed); deliveries: ${byChannel('email')} email, ${byChannel('slack')} Slack, ${failed.length} failed.`;
    return { summary, failed: failed.length };
  }

  /**
   * Fetches one listing date of one source through the running fetcher (retried like `fetch`) and waits
   * until its new listings are classified.
   */
  async fetchDate(
    sourceId: string,
    date: string,
    timeoutMs: number,
    attempts: number,
  ): Promise<{ itemsSeen: number; itemsNew: number; skippedItems: boolean }> {
    const deadline = Date.now() + timeoutMs;
    const job = await this.producer.enqueue(
      JobName.SourceFetch,
      { sourceId, date },
      { jobId: `cli-backfill-${sourceId}-${date}-${randomUUID()}`, ...cliRetries(attempts) },
    );
    const { fetchRunIds } = await this.waitForJob<JobResults[JobName.SourceFetch]>(job, deadline);
    await this.waitUntil(
      deadline,
      async () => (await this.listings.countUnclassified(fetchRunIds)) === 0,
      'classification',
    );
    const runs = await this.runs.findByIds(fetchRunIds);
    return {
      itemsSeen: runs.reduce((sum, run) => sum + run.itemsSeen, 0),
      itemsNew: runs.reduce((sum, run) => sum + run.itemsNew, 0),
      skippedItems: runs.some((run) => run.error),
    };
  }

  /** Throws a CliError naming the service when no worker listens on one of the queues. */
  async assertRunning(queues: QueueName[]): Promise<void> {
    for (const name of queues) {
      const workers = await withTimeout(
        this.producer.queue(name).getWorkersCount(),
        5000,
        `Redis at ${withoutCredentials(this.settings.REDIS_URL)} did not answer within 5 s: is it running? (REDIS_URL)`,
      );
      if (workers === 0) {
        throw new CliError(
          `The ${SERVICE_NAMES[name]} is not running: no worker listens on queue "${name}" ` +
            `(REDIS_URL=${withoutCredentials(this.settings.REDIS_URL)}, QUEUE_PREFIX=${this.settings.QUEUE_PREFIX}). ` +
            `Start it with "npm run start:${SERVICE_NAMES[name]}" or "npm start".`,
        );
      }
    }
  }

  private async waitForJob<T>(job: Job, deadline: number): Promise<T> {
    const queue: Queue = this.producer.queue(job.queueName as QueueName);
    for (;;) {
      const current = await queue.getJob(job.id as string);
      const state = current ? await current.getState() : 'unknown';
      if (state === 'completed') {
        // Read again: a job read before it completed has no return value yet.
        return (await queue.getJob(job.id as string))?.returnvalue as T;
      }
      if (state === 'failed') {
        // Read again: the job was read before its state, so it may predate the failure and lack its reason.
        const failed = await queue.getJob(job.id as string);
        const tries = failed && failed.attemptsMade > 1 ? ` after ${failed.attemptsMade} attempts` : '';
        throw new CliError(`${job.name} failed${tries}: ${failed?.failedReason ?? 'no reason recorded'}`);
      }
      if (state === 'unknown') {
        throw new CliError(`${job.name} job ${job.id} disappeared from the queue`);
      }
      if (Date.now() > deadline) {
        throw new CliError(`Timed out waiting for ${job.name} (state: ${state})`);
      }
      await sleep(POLL_MS);
    }
  }

  private async waitUntil(deadline: number, done: () => Promise<boolean>, what: string): Promise<void> {
    while (!(await done())) {
      if (Date.now() > deadline) {
        throw new CliError(`Timed out waiting for ${what}; the services are running but the work is not finished`);
      }
      await sleep(POLL_MS);
    }
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An operator waits at the terminal: the fetch job's own backoff (30 s and up) would be long, so the CLI
 * retries timeouts, 5xx and 429 sooner (5 s, 10 s, 20 s… with jitter); a Retry-After still wins, and a
 * permanent error (a 4xx, a gone source) is not retried.
 */
function cliRetries(attempts: number): Pick<JobsOptions, 'attempts' | 'backoff'> {
  return { attempts, backoff: { type: 'exponential', delay: 5000, jitter: 0.5 } };
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CliError(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
