import { createServer, Server, Socket } from 'node:net';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { jobOptionsFor } from '../libs/queues/src/job-options';
import { JobName, QueueName } from '../libs/queues/src/queue-contract';
import { KillableApp, startKillableApp } from './support/fault-injection';
import { deleteQueueKeys, waitFor } from './support/processes';
import { HOUR_MS, testInstant } from './support/test-clock';
import { createTestDatabase, TestDatabase, testQueuePrefix } from './support/test-database';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** An SMTP port that accepts connections and never says a word: a send to it hangs (until nodemailer's greeting timeout). */
async function startSilentSmtp(): Promise<{ url: string; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `smtp://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
}

/** The exit of a process: its code, or the signal that ended it. */
function exitOf(app: KillableApp): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const { child } = app;
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/**
 * SHUTDOWN_TIMEOUT_SECONDS bounds a graceful stop: a notifier whose send hangs on a silent relay exits on
 * its own that long after SIGTERM (before an orchestrator's SIGKILL), and one with nothing in flight stops
 * at once by the signal, as before.
 */
describe('The shutdown deadline of a service (end to end)', () => {
  let database: TestDatabase;
  let smtp: Awaited<ReturnType<typeof startSilentSmtp>>;
  let sql: Client;
  let notify: Queue;
  const apps: KillableApp[] = [];
  const prefix = testQueuePrefix('shutdown');
  const sendAt = testInstant();
  const clockStart = new Date(sendAt.getTime() - 12 * HOUR_MS);
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    database = await createTestDatabase('shutdown');
    smtp = await startSilentSmtp();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    await sql.query(
      `INSERT INTO papers ("arxivId", title, abstract, authors, upvotes, url, "listedAt", "readyAt")
       VALUES ('2603.00001', 'A language model paper', 'We study language models.', ARRAY['Ada Lovelace'], 5,
               'https://arxiv.org/abs/2603.00001', $1::timestamptz - interval '1 hour', $1)`,
      [clockStart],
    );
    await sql.query(`INSERT INTO paper_topics ("paperId", topic, score, evidence) SELECT id, 'llm', 1, ARRAY['title'] FROM papers`);
    await sql.query(
      `INSERT INTO subscriptions (email, status, topics, frequency, timezone, "sendHour", "activatedAt")
       VALUES ('reader@example.org', 'active', ARRAY['llm'], 'daily', 'UTC', $2, $1::timestamptz - interval '1 minute')`,
      [clockStart, sendAt.getUTCHours()],
    );
    env = {
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Paperboy <digest@paperboy.test>',
      APP_SECRET: 'shutdown-secret-shutdown-secret',
      SHUTDOWN_TIMEOUT_SECONDS: '1',
      LOG_LEVEL: 'warn',
      CLOCK_START: clockStart.toISOString(),
    };
    notify = new Queue(QueueName.Notify, { connection: { url: REDIS_URL }, prefix });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.kill()));
    await notify?.close();
    await sql?.end();
    await smtp?.close();
    await deleteQueueKeys(REDIS_URL, prefix);
    await database?.drop();
  });

  async function startNotifier(): Promise<KillableApp> {
    const app = startKillableApp('notifier', env);
    apps.push(app);
    await waitFor('the notifier to listen', async () => (await notify.getWorkersCount()) > 0, 60_000);
    return app;
  }

  it('should stop at once by the signal when nothing is in flight', async () => {
    const app = await startNotifier();
    const exit = exitOf(app);
    app.child.kill('SIGTERM');
    expect(await exit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(app.output()).not.toContain('did not finish');
  });

  it('should exit with code 1 once SHUTDOWN_TIMEOUT_SECONDS pass after SIGTERM with a send hanging', async () => {
    const app = await startNotifier();
    const data = { now: sendAt.toISOString() };
    await notify.add(JobName.DigestQueueAll, data, jobOptionsFor(JobName.DigestQueueAll, data));
    await waitFor('the delivery to be claimed and its relay connected', async () => {
      const { rows } = await sql.query<{ status: string }>(`SELECT status FROM deliveries`);
      return rows[0]?.status === 'sending' && smtp.connections() > 0;
    });
    const exit = exitOf(app);
    app.child.kill('SIGTERM');
    expect(await exit).toEqual({ code: 1, signal: null });
    expect(app.output()).toContain('Shutdown after SIGTERM did not finish within 1 s (SHUTDOWN_TIMEOUT_SECONDS); exiting');
    // The claim is left for the sweep to release and re-send; nothing was recorded as sent or failed.
    const { rows } = await sql.query<{ status: string }>(`SELECT status FROM deliveries`);
    expect(rows).toEqual([{ status: 'sending' }]);
  });
});
