import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Cluster } from 'ioredis';
import { Client } from 'pg';
import { loadSettings } from '../libs/config/src/settings';
import { jobOptionsFor } from '../libs/queues/src/job-options';
import { JobName, QueueName } from '../libs/queues/src/queue-contract';
import { queueOptions } from '../libs/queues/src/queues.module';
import { FaultySmtp, KillableApp, startFaultySmtp, startKillableApp } from './support/fault-injection';
import { runCli, waitFor } from './support/processes';
import { LocalRedisCluster, startRedisCluster } from './support/redis-cluster';
import { HfStandIn, startHfStandIn } from './support/stand-ins';
import { HOUR_MS, testInstant } from './support/test-clock';
import { createTestDatabase, TestDatabase } from './support/test-database';

const READERS = 300;
const CONCURRENCY = 8;

/**
 * Paperboy on a real Redis Cluster (three masters, three replicas of Debian's redis-server on loopback, the test's
 * own, so the production prefix): the whole pipeline, fetched from a loopback Hugging Face, classified, and a
 * fan-out of digests into an SMTP server in the test process; in the middle of the fan-out the master holding the
 * notify queue is SIGKILLed and its replica takes over. Nothing is lost, duplicates stay within the sends in
 * flight, and every service goes on without a restart.
 */
describe('Paperboy on a Redis Cluster, through a master failover (end to end)', () => {
  let cluster: LocalRedisCluster;
  let database: TestDatabase;
  let smtp: FaultySmtp;
  let hf: HfStandIn;
  let sql: Client;
  let notify: Queue;
  let apps: KillableApp[] = [];
  let env: NodeJS.ProcessEnv;
  let api: string;
  let workDir: string;
  const sendAt = testInstant();
  // The services' clock starts 12 hours before the send instant: their own minute tick finds nothing due.
  const clockStart = new Date(sendAt.getTime() - 12 * HOUR_MS);
  const listingDate = clockStart.toISOString().slice(0, 10);

  beforeAll(async () => {
    cluster = await startRedisCluster({ nodeTimeoutMs: 2000 });
    database = await createTestDatabase('redis_cluster');
    // A relay that takes a few milliseconds a message: the fan-out lasts long enough to fail over in its middle.
    [smtp, hf] = await Promise.all([startFaultySmtp({ answerDelayMs: 15 }), startHfStandIn(listingDate)]);
    workDir = mkdtempSync(join(tmpdir(), 'paperboy-cluster-'));
    const sourcesFile = join(workDir, 'sources.yml');
    writeFileSync(sourcesFile, `sources:\n  - id: hf-daily\n    kind: hf-daily-papers\n    url: ${hf.url}\n    schedule: "0 6 * * *"\n`);
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    env = {
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      REDIS_URL: cluster.url,
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Paperboy <digest@paperboy.test>',
      PUBLIC_URL: api,
      PORT: String(port),
      APP_SECRET: 'cluster-secret-cluster-secret',
      SOURCES_FILE: sourcesFile,
      ALLOW_PRIVATE_TARGETS: 'true',
      // The stand-in's host is paced too: the pacing keys live on the cluster with the others.
      HOST_PACING: '127.0.0.1=0.05',
      NOTIFIER_CONCURRENCY: String(CONCURRENCY),
      // Work a failover lost (acknowledged by the old master, not yet on its replica) is queued again soon.
      NOTIFIER_STALE_AFTER_SECONDS: '10',
      LOG_LEVEL: 'warn',
      CLOCK_START: clockStart.toISOString(),
    };
    const { connection, prefix } = queueOptions(loadSettings({ REDIS_URL: cluster.url }), QueueName.Notify);
    notify = new Queue(QueueName.Notify, { connection: connection as Cluster, prefix });
    apps = (['api', 'fetcher', 'classifier', 'notifier'] as const).map((name) => startKillableApp(name, env));
    await withLogs(waitFor('the api to answer /health', async () => (await fetch(`${api}/health`)).ok, 90_000));
    await withLogs(waitFor('the notifier to listen', async () => (await notify.getWorkersCount()) > 0, 90_000));
  }, 150_000);

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    await notify?.close();
    await notify?.disconnect();
    await sql?.end();
    await Promise.all([smtp?.close(), hf?.close()]);
    await cluster?.stop();
    await database?.drop();
    if (workDir) {
      rmSync(workDir, { recursive: true, force: true });
    }
  });

  async function withLogs<T>(promise: Promise<T>): Promise<T> {
    try {
      return await promise;
    } catch (error) {
      const logs = apps.map((app) => `--- ${app.name}\n${app.output().slice(-5000)}`).join('\n');
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${logs}`, { cause: error });
    }
  }

  const subscribe = (email: string): Promise<Response> =>
    fetch(`${api}/api/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, topics: [], timezone: 'UTC', sendHour: 3 }),
    });

  const digestCounts = async (): Promise<{ sent: number; open: number }> => {
    const { rows } = await sql.query<{ sent: number; open: number }>(
      `SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent,
              count(*) FILTER (WHERE status NOT IN ('sent', 'empty', 'failed', 'merged'))::int AS open
       FROM digests`,
    );
    return rows[0];
  };

  it('should fetch, classify and send every digest across a master failover, with every service still up', async () => {
    // Fetch and classify through the operator CLI, itself on the cluster.
    const fetched = await runCli(['fetch', '--date', listingDate], env);
    expect(fetched.stderr).toBe('');
    expect(fetched.code).toBe(0);
    expect(fetched.stdout).toMatch(/Fetched 1 source\(s\) for .+: \d+ listed, \d+ new, all classified/);
    const papers = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM papers WHERE "readyAt" IS NOT NULL`);
    expect(papers.rows[0].n).toBeGreaterThan(5);

    // A subscription through the api (its rate limit in Redis) and its confirmation (the notifier's cap in Redis).
    expect((await subscribe('before@example.org')).status).toBe(202);
    await withLogs(waitFor('the first confirmation', async () => smtp.mails.some((mail) => mail.to.includes('before@example.org'))));

    await sql.query(
      `INSERT INTO subscriptions (email, status, topics, frequency, timezone, "sendHour", "maxPapers", "activatedAt")
       SELECT 'reader-' || lpad(i::text, 3, '0') || '@example.org', 'active', ARRAY[]::text[], 'daily', 'UTC', $2, 5,
              $1::timestamptz - interval '1 minute'
       FROM generate_series(1, $3) AS i`,
      [clockStart, sendAt.getUTCHours(), READERS],
    );
    const master = await cluster.masterOf(notify.opts.prefix ?? '');
    const data = { now: sendAt.toISOString() };
    await notify.add(JobName.DigestQueueAll, data, { ...jobOptionsFor(JobName.DigestQueueAll, data), jobId: 'cluster-fan-out' });

    // A quarter of the way through the fan-out, the notify queue's master dies without a word.
    await withLogs(waitFor('a quarter of the digests sent', async () => (await digestCounts()).sent >= READERS / 4, 120_000));
    await cluster.kill(master);
    const sentAtKill = (await digestCounts()).sent;
    expect(sentAtKill).toBeLessThan(READERS);
    const promoted = await cluster.waitForMasterOf(notify.opts.prefix ?? '');
    expect(promoted.port).not.toBe(master.port);
    await withLogs(
      waitFor(
        `${READERS} digests sent`,
        async () => {
          const counts = await digestCounts();
          return counts.sent === READERS && counts.open === 0;
        },
        150_000,
      ),
    );

    // No digest lost: every reader got theirs; the ledger says sent once each; duplicates only from sends in flight.
    const perReader = new Map<string, number>();
    for (const mail of smtp.mails.filter((m) => m.to.some((to) => to.startsWith('reader-')))) {
      mail.to.forEach((to) => perReader.set(to, (perReader.get(to) ?? 0) + 1));
    }
    expect(perReader.size).toBe(READERS);
    const duplicates = [...perReader.values()].reduce((sum, count) => sum + count - 1, 0);
    expect(duplicates).toBeLessThanOrEqual(CONCURRENCY);
    const deliveries = await sql.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM deliveries GROUP BY status`,
    );
    expect(deliveries.rows).toEqual([{ status: 'sent', n: READERS }]);

    // Every service still runs, the same processes, and new work flows through the promoted master.
    expect(apps.filter((app) => app.child.exitCode !== null || app.child.signalCode !== null).map((app) => app.name)).toEqual([]);
    expect((await subscribe('after@example.org')).status).toBe(202);
    await withLogs(waitFor('a confirmation after the failover', async () => smtp.mails.some((mail) => mail.to.includes('after@example.org')), 60_000));
    expect((await fetch(`${api}/health`)).ok).toBe(true);

    // The api's and the notifier's rate-limit keys share their family's hash tag, on that tag's master.
    const ratelimit = await cluster.masterOf('{paperboy:ratelimit}');
    const keys = await redisKeys(ratelimit.port, '{paperboy:ratelimit}:*');
    expect(keys.some((key) => key.startsWith('{paperboy:ratelimit}:client'))).toBe(true);
    expect(keys.some((key) => key.startsWith('{paperboy:ratelimit}:address'))).toBe(true);
  }, 400_000);
});

async function redisKeys(port: number, pattern: string): Promise<string[]> {
  const { default: Redis } = await import('ioredis');
  const node = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  try {
    return await node.keys(pattern);
  } finally {
    node.disconnect();
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
