import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Job, Queue } from 'bullmq';
import { Client } from 'pg';
import { jobOptionsFor } from '../libs/queues/src/job-options';
import { JobName, QueueName } from '../libs/queues/src/queue-contract';
import { AppProcess, cleanUp, deleteQueueKeys, startApp, waitFor } from './support/processes';
import { SmtpSink, startSmtpSink } from './support/smtp-sink';
import { HfStandIn, startHfStandIn } from './support/stand-ins';
import { HOUR_MS, testInstant } from './support/test-clock';
import { createTestDatabase, TestDatabase, testQueuePrefix } from './support/test-database';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const READERS = 60;
/** Scheduled fetches each run waits for: the schedule fires every 5 seconds (a six-field cron pattern). */
const FIRINGS = 3;

/** What one run left in Postgres, Redis and the SMTP sink. */
interface Outcome {
  workersPerQueue: Record<QueueName, number>;
  firings: number;
  /** The ids of the fetch jobs: the scheduler's, one per instant it fired at. */
  fetchJobIds: string[];
  fetchRuns: number;
  /** The runs the fetch jobs returned, counted once per job that returned them, and without repeats. */
  runsOfJobs: { total: number; distinct: number };
  /** Requests for the first page of a listing: one per fetch. */
  upstreamFetches: number;
  listings: number;
  unclassified: number;
  /** Listing ids in the classify jobs that ran, counted once per job, and without repeats. */
  classified: { total: number; distinct: number };
  papers: string[];
  /** Jobs of any kind that ran more than once (a second attempt, or run again after a stall). */
  rerunJobs: string[];
  digests: { status: string; n: number }[];
  deliveries: { status: string; n: number }[];
  buildJobs: number;
  /** Each reader's digest: the arXiv ids it listed, and how many emails the reader got. */
  perReader: Map<string, { papers: string; mails: number }>;
  confirmations: string[];
}

/**
 * Replicas of every service against one Postgres and one Redis: two fetchers, two classifiers, two notifiers and
 * two api processes do the work of one of each, once: each scheduled fetch runs once, each listing is classified
 * once, each digest is built and sent once. The same run with one of each is the reference: both must leave the
 * same papers, the same digests and the same emails.
 */
describe('Two replicas of every service (end to end)', () => {
  const sendAt = testInstant();
  // The services' clock starts 12 hours before the send instant: their own minute tick finds nothing due.
  const clockStart = new Date(sendAt.getTime() - 12 * HOUR_MS);
  const listingDate = clockStart.toISOString().slice(0, 10);
  let single: Outcome;
  let doubled: Outcome;

  beforeAll(async () => {
    single = await run(1);
    doubled = await run(2);
  }, 600_000);

  async function run(replicas: number): Promise<Outcome> {
    const prefix = testQueuePrefix(`replicas${replicas}`);
    const workDir = mkdtempSync(join(tmpdir(), 'paperboy-replicas-'));
    const queues = Object.values(QueueName).map((name) => new Queue(name, { connection: { url: REDIS_URL }, prefix }));
    const [fetchQueue, classifyQueue, notifyQueue] = queues;
    const apps: AppProcess[] = [];
    // What was made so far: a step that fails (a database, a port) leaves nothing behind.
    const made: { database?: TestDatabase; smtp?: SmtpSink; hf?: HfStandIn; sql?: Client } = {};
    const fail = (error: Error): never => {
      throw new Error(`${error.message}\n${apps.map((app) => `--- ${app.name}\n${app.output().slice(-4000)}`).join('\n')}`, {
        cause: error,
      });
    };
    try {
      const database = (made.database = await createTestDatabase(`replicas${replicas}`));
      const smtp = (made.smtp = await startSmtpSink());
      const hf = (made.hf = await startHfStandIn(listingDate));
      const sql = (made.sql = new Client({ connectionString: database.url }));
      await sql.connect();
      const sourcesFile = join(workDir, 'sources.yml');
      writeFileSync(sourcesFile, `sources:\n  - id: hf-daily\n    kind: hf-daily-papers\n    url: ${hf.url}\n    schedule: "*/5 * * * * *"\n`);
      const env = (port: number): NodeJS.ProcessEnv => ({
        NODE_ENV: 'test',
        DATABASE_URL: database.url,
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        SMTP_URL: smtp.url,
        MAIL_FROM: 'Paperboy <digest@paperboy.test>',
        PUBLIC_URL: 'http://paperboy.test',
        PORT: String(port),
        APP_SECRET: 'replicas-secret-replicas-secret',
        SOURCES_FILE: sourcesFile,
        ALLOW_PRIVATE_TARGETS: 'true',
        NOTIFIER_CONCURRENCY: '8',
        LOG_LEVEL: 'warn',
        CLOCK_START: clockStart.toISOString(),
      });
      const apis: string[] = [];
      for (let i = 0; i < replicas; i++) {
        const port = await freePort();
        apis.push(`http://127.0.0.1:${port}`);
        apps.push(startApp('api', env(port)));
        for (const name of ['fetcher', 'classifier', 'notifier'] as const) {
          apps.push(startApp(name, env(port)));
        }
      }
      for (const api of apis) {
        await waitFor(`the api at ${api}`, async () => (await fetch(`${api}/health`)).ok, 120_000).catch(fail);
      }
      await waitFor(
        `${replicas} worker(s) on every queue`,
        async () => (await Promise.all(queues.map((queue) => queue.getWorkersCount()))).every((count) => count === replicas),
        120_000,
      ).catch(fail);
      const workersPerQueue = Object.fromEntries(
        await Promise.all(queues.map(async (queue) => [queue.name, await queue.getWorkersCount()])),
      ) as Record<QueueName, number>;

      // The schedule fires a few times; each firing is one job, run by one fetcher.
      await waitFor(`${FIRINGS} scheduled fetches`, async () => (await fetchQueue.getCompletedCount()) >= FIRINGS, 90_000).catch(fail);
      // Stop the fetchers (they finish what they hold) so the counts below hold still.
      await Promise.all(apps.filter((app) => app.name === 'fetcher').map((app) => app.stop()));
      const fetched = await fetchQueue.getCompleted(0, -1);
      await waitFor('every listing classified', async () => {
        const { rows } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM listings WHERE "paperId" IS NULL`);
        return rows[0].n === 0 && (await classifyQueue.getActiveCount()) === 0 && (await classifyQueue.getWaitingCount()) === 0;
      }, 60_000).catch(fail);

      // Subscriptions through each api, and readers due at the send instant.
      for (const [i, api] of apis.entries()) {
        const response = await fetch(`${api}/api/subscriptions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: `newcomer-${i}@example.org`, topics: [], timezone: 'UTC', sendHour: 3 }),
        });
        expect(response.status).toBe(202);
      }
      await sql.query(
        `INSERT INTO subscriptions (email, status, topics, frequency, timezone, "sendHour", "maxPapers", "activatedAt")
         SELECT 'reader-' || lpad(i::text, 3, '0') || '@example.org', 'active', ARRAY[]::text[], 'daily', 'UTC', $2,
                3 + i % 5, $1::timestamptz - interval '1 minute'
         FROM generate_series(1, $3) AS i`,
        [clockStart, sendAt.getUTCHours(), READERS],
      );
      const data = { now: sendAt.toISOString() };
      await notifyQueue.add(JobName.DigestQueueAll, data, { ...jobOptionsFor(JobName.DigestQueueAll, data), jobId: 'fan-out' });
      await waitFor(
        'every digest sent and every confirmation',
        async () => {
          const { rows } = await sql.query<{ open: number }>(
            `SELECT count(*) FILTER (WHERE status NOT IN ('sent', 'empty', 'failed', 'merged'))::int AS open,
                    count(*)::int AS n FROM digests HAVING count(*) = $1`,
            [READERS],
          );
          return rows[0]?.open === 0 && smtp.mails.filter((mail) => mail.to.some((to) => to.startsWith('newcomer-'))).length >= replicas;
        },
        120_000,
      ).catch(fail);
      // Whatever a replica still held has finished: nothing active or waiting on any queue.
      await waitFor('the queues to drain', async () => {
        const counts = await Promise.all(queues.map((queue) => queue.getJobCounts('active', 'waiting')));
        return counts.every((count) => count.active === 0 && count.waiting === 0);
      }, 60_000).catch(fail);

      const completed = (await Promise.all(queues.map((queue) => queue.getCompleted(0, -1)))).flat();
      const count = async (query: string): Promise<number> => (await sql.query<{ n: number }>(query)).rows[0].n;
      const readers = await sql.query<{ email: string; papers: string }>(
        `SELECT s.email, string_agg(p."arxivId", ',' ORDER BY p."arxivId") AS papers
         FROM subscriptions s JOIN digests d ON d."subscriptionId" = s.id
         JOIN digest_papers dp ON dp."digestId" = d.id JOIN papers p ON p.id = dp."paperId"
         WHERE s.email LIKE 'reader-%' GROUP BY s.email`,
      );
      const mails = new Map<string, number>();
      smtp.mails.forEach((mail) => mail.to.forEach((to) => mails.set(to, (mails.get(to) ?? 0) + 1)));
      return {
        workersPerQueue,
        firings: fetched.length,
        fetchJobIds: fetched.map((job) => job.id ?? ''),
        fetchRuns: await count(`SELECT count(*)::int AS n FROM fetch_runs`),
        runsOfJobs: tally(fetched.flatMap((job) => (job.returnvalue as { fetchRunIds: string[] }).fetchRunIds)),
        upstreamFetches: hf.requests.filter((path) => !/[?&]p=[1-9]/.test(path)).length,
        listings: await count(`SELECT count(*)::int AS n FROM listings`),
        unclassified: await count(`SELECT count(*)::int AS n FROM listings WHERE "paperId" IS NULL`),
        classified: tally(completed.filter((job) => named(job, JobName.ListingsClassify)).flatMap((job) => (job.data as { listingIds: string[] }).listingIds)),
        papers: (await sql.query<{ id: string }>(`SELECT "arxivId" AS id FROM papers ORDER BY 1`)).rows.map((row) => row.id),
        rerunJobs: completed.filter((job: Job) => job.attemptsMade !== 1 || (job.stalledCounter ?? 0) > 0).map((job) => `${job.name} ${job.id}`),
        digests: (await sql.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM digests GROUP BY 1`)).rows,
        deliveries: (await sql.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM deliveries GROUP BY 1`)).rows,
        buildJobs: completed.filter((job) => named(job, JobName.DigestBuild)).length,
        perReader: new Map(readers.rows.map((row) => [row.email, { papers: row.papers, mails: mails.get(row.email) ?? 0 }])),
        confirmations: [...mails.keys()].filter((to) => to.startsWith('newcomer-')).sort(),
      };
    } finally {
      await cleanUp(
        () => Promise.all(apps.map((app) => app.stop())),
        () => Promise.all(queues.map((queue) => queue.close())),
        () => made.sql?.end().catch(() => undefined),
        () => made.smtp?.close(),
        () => made.hf?.close(),
        () => deleteQueueKeys(REDIS_URL, prefix),
        () => made.database?.drop(),
        () => rmSync(workDir, { recursive: true, force: true }),
      );
    }
  }

  it('should run every replica as a competing consumer of its queue', () => {
    expect(single.workersPerQueue).toEqual({ fetch: 1, classify: 1, embed: 1, notify: 1 });
    expect(doubled.workersPerQueue).toEqual({ fetch: 2, classify: 2, embed: 2, notify: 2 });
  });

  it('should fetch each source once per firing of its schedule', () => {
    for (const outcome of [single, doubled]) {
      expect(outcome.firings).toBeGreaterThanOrEqual(FIRINGS);
      // One job per instant, from the one scheduler every fetcher upserted.
      const instants = outcome.fetchJobIds.map((id) => /^repeat:fetch-hf-daily:(\d+)$/.exec(id)?.[1]);
      expect(instants.every((instant) => instant !== undefined)).toBe(true);
      expect(new Set(instants).size).toBe(outcome.firings);
      // Each firing was one job; each run (one listing date) belongs to one job and asked upstream once.
      expect(outcome.runsOfJobs.distinct).toBe(outcome.runsOfJobs.total);
      expect(outcome.runsOfJobs.total).toBe(outcome.fetchRuns);
      expect(outcome.upstreamFetches).toBe(outcome.fetchRuns);
      expect(outcome.fetchRuns).toBeGreaterThanOrEqual(outcome.firings);
    }
  });

  it('should classify each listing once, into the same papers', () => {
    for (const outcome of [single, doubled]) {
      expect(outcome.unclassified).toBe(0);
      // Every listing was in exactly one classify job that ran; the later fetches found nothing new.
      expect(outcome.classified).toEqual({ total: outcome.listings, distinct: outcome.listings });
      expect(outcome.rerunJobs).toEqual([]);
    }
    expect(doubled.listings).toBe(single.listings);
    expect(doubled.papers).toEqual(single.papers);
    expect(single.papers.length).toBeGreaterThan(5);
  });

  it('should build and send each digest once, the same digests as one of each', () => {
    for (const outcome of [single, doubled]) {
      expect(outcome.digests).toEqual([{ status: 'sent', n: READERS }]);
      expect(outcome.deliveries).toEqual([{ status: 'sent', n: READERS }]);
      expect(outcome.buildJobs).toBe(READERS);
      expect(outcome.perReader.size).toBe(READERS);
      expect([...outcome.perReader.values()].every((reader) => reader.mails === 1)).toBe(true);
    }
    expect(doubled.perReader).toEqual(single.perReader);
    expect(single.confirmations).toEqual(['newcomer-0@example.org']);
    expect(doubled.confirmations).toEqual(['newcomer-0@example.org', 'newcomer-1@example.org']);
  });
});

function named(job: Job, name: JobName): boolean {
  return job.name === (name as string);
}

function tally(values: string[]): { total: number; distinct: number } {
  return { total: values.length, distinct: new Set(values).size };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
