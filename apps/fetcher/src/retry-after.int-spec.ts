import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Job, Worker } from 'bullmq';
import { JobName, JobProducer, QueueName } from '@libs/queues';
import { createFetcherContext, FetcherContext, TestEnv } from '../../../test/support/fetcher-context';
import { LoopbackServer } from '../../../test/support/loopback-server';
import { deleteQueueKeys, waitFor } from '../../../test/support/processes';
import { createTestDatabase, TestDatabase, testQueuePrefix } from '../../../test/support/test-database';
import { FetchProcessor } from './fetch.processor';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const FIXTURE = readFileSync(join(__dirname, '../../../test/fixtures/hf/daily-papers-2024-10-25.json'), 'utf8');
const DATE = '2024-10-25';

/** A 429 with Retry-After delays the real SourceFetch job by that much, through the real processor and BullMQ. */
describe('Retry-After on a SourceFetch job', () => {
  const env = new TestEnv();
  const prefix = testQueuePrefix('retry-after');
  let database: TestDatabase;
  let upstream: LoopbackServer;
  let context: FetcherContext;
  let worker: Worker;
  const answeredAt: number[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('retry_after');
    upstream = new LoopbackServer();
    await upstream.start();
    env.set({ DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix, ALLOW_PRIVATE_TARGETS: 'true' });
    context = await createFetcherContext([
      { id: 'hf-busy', kind: 'hf-daily-papers', url: upstream.url('/busy'), schedule: '0 6 * * *', timezone: 'UTC' },
    ]);
    // Busy once (429, come back in 1 s), then the real listing.
    upstream.route('/busy', (_req, res) => {
      answeredAt.push(Date.now());
      if (answeredAt.length === 1) {
        res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' }).end('{"error":"rate limited"}');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end(FIXTURE);
      }
    });
    const processor = new FetchProcessor(context.fetcher);
    worker = new Worker(QueueName.Fetch, (job: Job, token?: string) => processor.process(job, token), {
      connection: { url: REDIS_URL, maxRetriesPerRequest: null },
      prefix,
    });
  });

  afterAll(async () => {
    await worker?.close();
    await context?.close();
    await upstream?.stop();
    await deleteQueueKeys(REDIS_URL, prefix);
    await database?.drop();
    env.restore();
  });

  it('should ask again after the Retry-After, not after the job backoff, without spending an attempt', async () => {
    const job = await context.app.get(JobProducer).enqueue(JobName.SourceFetch, { sourceId: 'hf-busy', date: DATE });
    // The job's own backoff starts at 30 s (with jitter, at least 15 s): finishing sooner proves the delay.
    const done = await waitFor(
      'the SourceFetch job to complete',
      async () => {
        const queue = context.app.get(JobProducer).queue(QueueName.Fetch);
        // The state first: the job read after it is then at least as recent (attemptsMade included).
        return (await queue.getJobState(job.id as string)) === 'completed'
          ? await queue.getJob(job.id as string)
          : undefined;
      },
      10_000,
    );
    expect(answeredAt).toHaveLength(2);
    expect(answeredAt[1] - answeredAt[0]).toBeGreaterThanOrEqual(950);
    expect(done.attemptsMade).toBe(1);
    const runs = await context.runsOf('hf-busy');
    expect(runs.map((run) => [run.status, run.httpStatus])).toEqual([
      ['failed', 429],
      ['succeeded', 200],
    ]);
    expect(runs[0].error).toContain('answered HTTP 429 for date 2024-10-25, page 0 (Retry-After: 1)');
    // One rate-limited run is no alarm: the source stays healthy.
    expect(await context.source('hf-busy')).toMatchObject({ health: 'healthy', consecutiveFailures: 0 });
  });
});
