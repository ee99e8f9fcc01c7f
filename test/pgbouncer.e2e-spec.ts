import { createServer } from 'node:net';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { jobOptionsFor } from '../libs/queues/src/job-options';
import { JobName, QueueName } from '../libs/queues/src/queue-contract';
import { KillableApp, startKillableApp } from './support/fault-injection';
import { PgBouncer, startPgBouncer } from './support/pgbouncer';
import { deleteQueueKeys, waitFor } from './support/processes';
import { SmtpSink, startSmtpSink } from './support/smtp-sink';
import { HOUR_MS, testInstant } from './support/test-clock';
import { createTestDatabase, TestDatabase, testQueuePrefix } from './support/test-database';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** PgBouncer's server connections for the database: fewer than the notifier's jobs in flight. */
const POOL_SIZE = 3;
const CONCURRENCY = 16;
const READERS = 120;

/**
 * The api and the notifier through a real PgBouncer (Debian's) in transaction mode, as managed Postgres
 * users run it, with a pool smaller than the notifier's concurrency: a subscription and searches through
 * the api, then a fan-out built and sent. Migrations ran on a direct connection (createTestDatabase).
 */
describe('Paperboy behind PgBouncer in transaction mode (end to end)', () => {
  let pgbouncer: PgBouncer;
  let database: TestDatabase;
  let smtp: SmtpSink;
  let sql: Client;
  let notify: Queue;
  let apps: KillableApp[] = [];
  let api: string;
  const prefix = testQueuePrefix('pgbouncer');
  const sendAt = testInstant();
  // The services' clock starts 12 hours before the send instant: their own minute tick finds nothing due.
  const clockStart = new Date(sendAt.getTime() - 12 * HOUR_MS);

  beforeAll(async () => {
    pgbouncer = await startPgBouncer({ poolSize: POOL_SIZE });
    database = await createTestDatabase('pgbouncer');
    smtp = await startSmtpSink();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    await seed();
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      NODE_ENV: 'test',
      DATABASE_URL: pgbouncer.through(database.url),
      DATABASE_NAMED_STATEMENTS: 'false',
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Paperboy <digest@paperboy.test>',
      PUBLIC_URL: api,
      PORT: String(port),
      APP_SECRET: 'pgbouncer-secret-pgbouncer-secret',
      ALLOW_PRIVATE_TARGETS: 'true',
      NOTIFIER_CONCURRENCY: String(CONCURRENCY),
      LOG_LEVEL: 'warn',
      CLOCK_START: clockStart.toISOString(),
    };
    notify = new Queue(QueueName.Notify, { connection: { url: REDIS_URL }, prefix });
    apps = [startKillableApp('api', env), startKillableApp('notifier', env)];
    await withLogs(waitFor('the api to answer /health', async () => (await fetch(`${api}/health`)).ok, 60_000));
    await withLogs(waitFor('the notifier to listen', async () => (await notify.getWorkersCount()) > 0, 60_000));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    await notify?.close();
    await sql?.end();
    await smtp?.close();
    await pgbouncer?.stop();
    await deleteQueueKeys(REDIS_URL, prefix);
    await database?.drop();
  });

  /** Ready `llm` papers listed before the services' clock, and READERS active daily email readers due at `sendAt`. */
  async function seed(): Promise<void> {
    await sql.query(
      `INSERT INTO papers ("arxivId", title, abstract, authors, upvotes, url, "listedAt", "readyAt")
       SELECT '2601.' || lpad(i::text, 5, '0'), 'Pooled language model paper ' || i,
              'We study language models behind a pooler, part ' || i || '.', ARRAY['Ada Lovelace'],
              10 + i, 'https://arxiv.org/abs/2601.' || lpad(i::text, 5, '0'), $1::timestamptz - interval '1 hour', $1
       FROM generate_series(1, 12) AS i`,
      [clockStart],
    );
    await sql.query(
      `INSERT INTO paper_topics ("paperId", topic, score, evidence) SELECT id, 'llm', 1, ARRAY['title: language model'] FROM papers`,
    );
    await sql.query(
      `INSERT INTO subscriptions (email, status, topics, frequency, timezone, "sendHour", "maxPapers", "activatedAt")
       SELECT 'reader-' || lpad(i::text, 3, '0') || '@example.org', 'active', ARRAY['llm'], 'daily', 'UTC', $2,
              5 + i % 8, $1::timestamptz - interval '1 minute'
       FROM generate_series(1, $3) AS i`,
      [clockStart, sendAt.getUTCHours(), READERS],
    );
  }

  async function withLogs<T>(promise: Promise<T>): Promise<T> {
    try {
      return await promise;
    } catch (error) {
      const logs = apps.map((app) => `--- ${app.name}\n${app.output().slice(-6000)}`).join('\n');
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}\n${logs}\n--- pgbouncer\n${pgbouncer.output().slice(-3000)}`,
        { cause: error },
      );
    }
  }

  /** Postgres backends serving the test database, apart from this test's own connection. */
  async function serverConnections(): Promise<number> {
    const { rows } = await sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    return rows[0].n;
  }

  it('should subscribe and search through the api, and build and send every digest once', async () => {
    const response = await fetch(`${api}/api/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'newcomer@example.org', topics: ['llm'], timezone: 'UTC', sendHour: 3 }),
    });
    expect(response.status).toBe(202);
    const confirmation = await withLogs(
      waitFor('the confirmation email', async () => smtp.mails.find((mail) => mail.to.includes('newcomer@example.org'))),
    );
    expect(confirmation.parsed.subject).toBe('Paperboy: confirm your subscription');
    const pending = await sql.query<{ status: string }>(`SELECT status FROM subscriptions WHERE email = $1`, [
      'newcomer@example.org',
    ]);
    expect(pending.rows).toEqual([{ status: 'pending' }]);
    // Concurrent reads through the api: more requests at once than server connections.
    const searches = await Promise.all(
      Array.from({ length: 12 }, () => fetch(`${api}/api/papers?topic=llm&limit=5`).then((r) => r.json() as Promise<{ total: number }>)),
    );
    expect(searches.map((page) => page.total)).toEqual(Array(12).fill(12));

    // The fan-out: READERS digests, 16 jobs at a time over 3 server connections.
    let peak = 0;
    const data = { now: sendAt.toISOString() };
    await notify.add(JobName.DigestQueueAll, data, jobOptionsFor(JobName.DigestQueueAll, data));
    await withLogs(
      waitFor(
        `${READERS} digests sent`,
        async () => {
          peak = Math.max(peak, await serverConnections());
          const { rows } = await sql.query<{ sent: number; open: number }>(
            `SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent,
                    count(*) FILTER (WHERE status NOT IN ('sent', 'empty', 'failed', 'merged'))::int AS open
             FROM digests`,
          );
          return rows[0].sent === READERS && rows[0].open === 0;
        },
        120_000,
      ),
    );

    const digests = smtp.mails.filter((mail) => mail.to.some((to) => to.startsWith('reader-')));
    const perReader = new Map<string, number>();
    for (const mail of digests) {
      for (const to of mail.to) {
        perReader.set(to, (perReader.get(to) ?? 0) + 1);
      }
    }
    expect(perReader.size).toBe(READERS);
    expect([...perReader.values()].every((count) => count === 1)).toBe(true);
    const { rows } = await sql.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM deliveries GROUP BY status`,
    );
    expect(rows).toEqual([{ status: 'sent', n: READERS }]);
    // Each digest holds its reader's cap of papers, recorded once.
    const papers = await sql.query<{ wrong: number }>(
      `SELECT count(*)::int AS wrong FROM digests d JOIN subscriptions s ON s.id = d."subscriptionId"
       WHERE d."paperCount" <> s."maxPapers" OR d."paperCount" <> (SELECT count(*) FROM digest_papers p WHERE p."digestId" = d.id)`,
    );
    expect(papers.rows[0].wrong).toBe(0);
    // PgBouncer held Postgres to its pool, whatever the services' own pools (20 each) asked for.
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(POOL_SIZE);
    expect(apps.map((app) => app.output()).join('\n')).not.toMatch(/prepared statement|ERROR/);
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
