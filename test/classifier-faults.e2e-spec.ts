import { Queue } from 'bullmq';
import { Client } from 'pg';
import { jobOptionsFor } from '../libs/queues/src/job-options';
import { classifyBatches, JobName, QueueName } from '../libs/queues/src/queue-contract';
import { KillableApp, startKillableApp } from './support/fault-injection';
import { deleteQueueKeys, waitFor } from './support/processes';
import { createTestDatabase, TestDatabase, testQueuePrefix } from './support/test-database';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const LISTINGS = 6000;

/**
 * The classifier when Postgres drops every connection (a failover, a restart, `pg_terminate_backend`) in the
 * middle of a large batch: it stays up, resumes alone and classifies every listing once. Real Postgres and
 * Redis; the classifier runs as a child process.
 */
describe('Classifier under Postgres faults (end to end)', () => {
  let database: TestDatabase;
  let prefix: string;
  let sql: Client;
  let classify: Queue;
  let classifier: KillableApp | undefined;

  beforeAll(async () => {
    database = await createTestDatabase('classifier_faults');
    prefix = testQueuePrefix('classifier-faults');
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    // The test's connection is terminated too when the test asks for it, by its own query: not what it checks.
    sql.on('error', () => undefined);
    classify = new Queue(QueueName.Classify, { connection: { url: REDIS_URL }, prefix });
  });

  afterAll(async () => {
    await classifier?.kill();
    await classify?.close();
    await sql?.end().catch(() => undefined);
    await deleteQueueKeys(REDIS_URL, prefix);
    await database?.drop();
  });

  const classified = async (): Promise<number> =>
    (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM listings WHERE "classifiedAt" IS NOT NULL`)).rows[0].n;

  /** As a failover or an administrator would: every backend of the database but the test's own. */
  const dropConnections = async (): Promise<number> =>
    (
      await sql.query<{ n: number }>(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      )
    ).rows[0].n;

  it('should classify every listing once, with no exit, when Postgres drops every connection twice mid batch', async () => {
    await sql.query(
      `INSERT INTO sources (id, kind, url, schedule, timezone) VALUES ('hf', 'hf-daily-papers', 'http://hf.test/api', '0 6 * * *', 'UTC')`,
    );
    const runId = (
      await sql.query<{ id: string }>(
        `INSERT INTO fetch_runs ("sourceId", "startedAt", status) VALUES ('hf', now(), 'running') RETURNING id`,
      )
    ).rows[0].id;
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO listings ("sourceId", "fetchRunId", "externalId", "arxivId", title, abstract, authors, "listedAt", upvotes)
       SELECT 'hf', $1, '2611.' || lpad(i::text, 5, '0'), '2611.' || lpad(i::text, 5, '0'),
              'Robust language model reasoning, study ' || i,
              'We study chain-of-thought reasoning of large language models under faults, part ' || i || '.',
              ARRAY['Author ' || i], '2026-11-27T10:00:00Z', i % 50
       FROM generate_series(1, $2::int) AS i
       RETURNING id`,
      [runId, LISTINGS],
    );
    classifier = startKillableApp('classifier', {
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      APP_SECRET: 'classifier-faults-secret-classifier',
      LOG_LEVEL: 'warn',
    });
    const app = classifier;
    const withLogs = async <T>(promise: Promise<T>): Promise<T> =>
      promise.catch((error: unknown) => {
        throw new Error(`${error instanceof Error ? error.message : String(error)}\n${app.output().slice(-6000)}`);
      });
    await withLogs(waitFor('the classifier to listen', async () => (await classify.getWorkersCount()) > 0, 60_000));

    const batches = classifyBatches(rows.map((row) => row.id));
    await classify.addBulk(
      batches.map((data) => ({ name: JobName.ListingsClassify, data, opts: jobOptionsFor(JobName.ListingsClassify, data) })),
    );
    // Twice, each time once more work got done: mid batch, while the classifier holds connections.
    await withLogs(waitFor('some listings classified', async () => (await classified()) > 0, 60_000));
    const terminatedFirst = await dropConnections();
    const before = await classified();
    expect(before).toBeLessThan(LISTINGS);
    await withLogs(waitFor('more listings classified', async () => (await classified()) > before, 60_000));
    const terminatedSecond = await dropConnections();
    expect(await classified()).toBeLessThan(LISTINGS);
    expect([terminatedFirst, terminatedSecond].every((count) => count > 0)).toBe(true);

    // Resumes alone: no restart, the failed batches retried by BullMQ, within a minute.
    await withLogs(waitFor('every listing classified', async () => (await classified()) === LISTINGS, 60_000));
    expect([app.child.exitCode, app.child.signalCode]).toEqual([null, null]);
    expect(app.output()).not.toMatch(/Unhandled 'error' event|Connection terminated unexpectedly\n\s+at /);
    // The failed attempts are JSON warnings on stdout; nothing raw on stderr.
    expect(app.stderr()).toBe('');
    // Once each: one paper per listing, every listing attached to its own.
    const papers = await sql.query<{ papers: number; distinct: number; attached: number }>(
      `SELECT (SELECT count(*)::int FROM papers) AS papers,
              (SELECT count(DISTINCT "arxivId")::int FROM papers) AS distinct,
              (SELECT count(DISTINCT "paperId")::int FROM listings) AS attached`,
    );
    expect(papers.rows[0]).toEqual({ papers: LISTINGS, distinct: LISTINGS, attached: LISTINGS });
  }, 240_000);
});
