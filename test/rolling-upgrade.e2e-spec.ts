import { Queue } from 'bullmq';
import { Client } from 'pg';
import { migrateDatabase } from '../libs/database/src/migrate-database';
import { MIGRATIONS } from '../libs/database/src/migrations';
import { jobOptionsFor } from '../libs/queues/src/job-options';
import { JobName, QueueName } from '../libs/queues/src/queue-contract';
import { KillableApp, startKillableApp } from './support/fault-injection';
import { deleteQueueKeys, waitFor } from './support/processes';
import { NOTIFIER_TABLES, RollingUpgradeProbe1799999999999 } from './support/rolling-upgrade-migration';
import { SmtpSink, startSmtpSink } from './support/smtp-sink';
import { HOUR_MS, testInstant } from './support/test-clock';
import { createTestDatabase, TestDatabase, testQueuePrefix } from './support/test-database';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Readers per send hour: more digests than the notifier works on at once, over most of its pooled connections. */
const READERS = 40;
const COHORTS = ['before', 'during', 'after'] as const;
type Cohort = (typeof COHORTS)[number];

/**
 * A rolling upgrade of the notifier across a migration that adds a column to every table it touches: the
 * running notifier (the previous release) has prepared its named statements on its pooled connections;
 * the migration runs beside it; it keeps building and sending; then a second notifier (the new release)
 * starts and both send together. Digests flow throughout, each sent once, with no failed job.
 */
describe('A rolling upgrade of the notifier across a column-adding migration (end to end)', () => {
  let database: TestDatabase;
  let smtp: SmtpSink;
  let sql: Client;
  let notify: Queue;
  const apps: KillableApp[] = [];
  const prefix = testQueuePrefix('rolling');
  const sendAt = testInstant();
  // The services' clock starts 12 hours before the first send hour: their own minute tick finds nothing due.
  const clockStart = new Date(sendAt.getTime() - 12 * HOUR_MS);
  const hourOf = (cohort: Cohort): Date => new Date(sendAt.getTime() + COHORTS.indexOf(cohort) * HOUR_MS);
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    database = await createTestDatabase('rolling');
    smtp = await startSmtpSink();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    await seed();
    env = {
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      // The statements that broke rolling upgrades were the named ones: prepared once per connection.
      DATABASE_NAMED_STATEMENTS: 'true',
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Paperboy <digest@paperboy.test>',
      PUBLIC_URL: 'http://127.0.0.1:9',
      APP_SECRET: 'rolling-secret-rolling-secret',
      NOTIFIER_CONCURRENCY: '8',
      LOG_LEVEL: 'warn',
      CLOCK_START: clockStart.toISOString(),
    };
    notify = new Queue(QueueName.Notify, { connection: { url: REDIS_URL }, prefix });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    await notify?.close();
    await sql?.end();
    await smtp?.close();
    await deleteQueueKeys(REDIS_URL, prefix);
    await database?.drop();
  });

  /** Ready `llm` papers listed before the services' clock, and READERS daily email readers per cohort's send hour. */
  async function seed(): Promise<void> {
    await sql.query(
      `INSERT INTO papers ("arxivId", title, abstract, authors, upvotes, url, "listedAt", "readyAt")
       SELECT '2602.' || lpad(i::text, 5, '0'), 'Upgraded language model paper ' || i,
              'We study language models during an upgrade, part ' || i || '.', ARRAY['Grace Hopper'],
              10 + i, 'https://arxiv.org/abs/2602.' || lpad(i::text, 5, '0'), $1::timestamptz - interval '1 hour', $1
       FROM generate_series(1, 8) AS i`,
      [clockStart],
    );
    await sql.query(
      `INSERT INTO paper_topics ("paperId", topic, score, evidence) SELECT id, 'llm', 1, ARRAY['title: language model'] FROM papers`,
    );
    for (const cohort of COHORTS) {
      await sql.query(
        `INSERT INTO subscriptions (email, status, topics, frequency, timezone, "sendHour", "maxPapers", "activatedAt")
         SELECT $4 || '-' || lpad(i::text, 3, '0') || '@example.org', 'active', ARRAY['llm'], 'daily', 'UTC', $2,
                3 + i % 4, $1::timestamptz - interval '1 minute'
         FROM generate_series(1, $3) AS i`,
        [clockStart, hourOf(cohort).getUTCHours(), READERS, cohort],
      );
    }
  }

  function startNotifier(): KillableApp {
    const app = startKillableApp('notifier', env);
    apps.push(app);
    return app;
  }

  async function withLogs<T>(promise: Promise<T>): Promise<T> {
    try {
      return await promise;
    } catch (error) {
      const logs = apps.map((app) => `--- ${app.name}\n${app.output().slice(-6000)}`).join('\n');
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${logs}`, { cause: error });
    }
  }

  /** The tick of one cohort's send hour, then every digest of the cohort sent. */
  async function fanOut(cohort: Cohort): Promise<void> {
    const data = { now: hourOf(cohort).toISOString() };
    await notify.add(JobName.DigestQueueAll, data, jobOptionsFor(JobName.DigestQueueAll, data));
    await withLogs(
      waitFor(
        `the ${cohort} cohort's ${READERS} digests sent`,
        async () => {
          const { rows } = await sql.query<{ sent: number; open: number }>(
            `SELECT count(*) FILTER (WHERE d.status = 'sent')::int AS sent,
                    count(*) FILTER (WHERE d.status NOT IN ('sent', 'empty', 'failed', 'merged'))::int AS open
             FROM digests d JOIN subscriptions s ON s.id = d."subscriptionId" WHERE s.email LIKE $1`,
            [`${cohort}-%`],
          );
          return rows[0].sent === READERS && rows[0].open === 0;
        },
        90_000,
      ),
    );
  }

  async function waitForWorkers(count: number): Promise<void> {
    await withLogs(waitFor(`${count} notifier workers`, async () => (await notify.getWorkersCount()) >= count, 60_000));
  }

  it('should keep building and sending with the previous release running across the migration, then with both', async () => {
    // The previous release: it prepares its named statements while sending the first cohort.
    startNotifier();
    await waitForWorkers(1);
    const oneNotifier = await notify.getWorkersCount();
    await fanOut('before');

    // The release's expand migration, applied beside the running notifier on a direct connection.
    const applied = await migrateDatabase(database.url, { migrations: [...MIGRATIONS, RollingUpgradeProbe1799999999999] });
    expect(applied).toEqual(['RollingUpgradeProbe1799999999999']);
    const { rows: probes } = await sql.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.columns WHERE column_name = 'upgradeProbe' ORDER BY table_name`,
    );
    expect(probes.map((row) => row.table_name)).toEqual([...NOTIFIER_TABLES].sort());
    const { rows: indexes } = await sql.query<{ valid: boolean }>(
      `SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'deliveries_upgrade_probe'`,
    );
    expect(indexes).toEqual([{ valid: true }]);

    // The previous release alone, on the new schema: its prepared statements must still run.
    await fanOut('during');

    // The new release starts beside it; both take the last cohort's jobs.
    startNotifier();
    await waitForWorkers(oneNotifier * 2);
    await fanOut('after');

    const perReader = new Map<string, number>();
    for (const mail of smtp.mails) {
      for (const to of mail.to) {
        perReader.set(to, (perReader.get(to) ?? 0) + 1);
      }
    }
    expect(perReader.size).toBe(READERS * COHORTS.length);
    expect([...perReader.values()].every((count) => count === 1)).toBe(true);
    // Sent at the first attempt: no claim or build failed and was retried.
    const { rows } = await sql.query<{ status: string; attempts: number; n: number }>(
      `SELECT status, attempts, count(*)::int AS n FROM deliveries GROUP BY status, attempts`,
    );
    expect(rows).toEqual([{ status: 'sent', attempts: 1, n: READERS * COHORTS.length }]);
    const failed = await notify.getJobCounts('failed');
    expect(failed).toEqual({ failed: 0 });
    expect(apps.map((app) => app.output()).join('\n')).not.toMatch(/cached plan|"level":50|ERROR/);
  }, 240_000);
});
