import Redis from 'ioredis';
import { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { SMTPServer } from 'smtp-server';
import { Queue } from 'bullmq';
import { QueueName } from '../libs/queues/src/queue-contract';
import { redisKeyPrefix } from '../libs/queues/src/redis-keys';
import { KillableApp, startKillableApp } from './support/fault-injection';
import { deleteQueueKeys, runCli, waitFor } from './support/processes';
import { HOUR_MS, testInstant } from './support/test-clock';
import { createTestDatabase, TestDatabase, testQueuePrefix } from './support/test-database';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PUBLIC_HOST = 'paperboy.test';
/** The notifiers' mail keys on the one Redis these tests run against. */
const mailPrefix = (prefix: string): string =>
  redisKeyPrefix({ QUEUE_PREFIX: prefix, redis: { kind: 'standalone', url: REDIS_URL } }, 'mail');

/**
 * A relay with a sending limit, the way SES and the ESPs keep one: a bucket that fills at `perSecond` messages
 * a second and holds two seconds' worth, for the time between a notifier's token and its message reaching the
 * relay (two notifier processes on a shared, busy machine can bunch one second's messages up against the next
 * second's). Anything over is refused with SES's "454 Throttling failure"; `refuseFirst` refuses that many
 * messages whatever the bucket holds. Notifiers that kept the limit each on their own (twice the rate between
 * two) drain the bucket within seconds.
 */
interface Relay {
  url: string;
  accepted: { to: string; messageId: string }[];
  refused: number;
  /** Messages accepted while the notifiers' shared pause key was set in Redis. */
  acceptedWhilePaused: number;
  close(): Promise<void>;
}

async function startRelay(
  perSecond: number,
  options: { refuseFirst?: number; pauseKey?: string } = {},
): Promise<Relay> {
  const redis = new Redis(REDIS_URL);
  const capacity = 2 * perSecond;
  let tokens = capacity;
  let filledAt = performance.now();
  let toRefuse = options.refuseFirst ?? 0;
  const relay: Relay = { url: '', accepted: [], refused: 0, acceptedWhilePaused: 0, close: () => Promise.resolve() };
  const refuse = (callback: (error?: Error | null) => void): void => {
    relay.refused += 1;
    callback(Object.assign(new Error('Throttling failure: Maximum sending rate exceeded.'), { responseCode: 454 }));
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (toRefuse > 0) {
        toRefuse -= 1;
        refuse(callback);
        return;
      }
      const at = performance.now();
      tokens = Math.min(capacity, tokens + ((at - filledAt) / 1000) * perSecond);
      filledAt = at;
      if (tokens < 1) {
        refuse(callback);
        return;
      }
      tokens -= 1;
      callback();
    },
    onData(stream, session, callback) {
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 4096) {
          head += chunk.toString('latin1');
        }
      });
      stream.on('end', () => {
        const messageId = /^Message-ID:\s*(\S+)/im.exec(head)?.[1] ?? '';
        const paused = options.pauseKey === undefined ? Promise.resolve(0) : redis.exists(options.pauseKey);
        paused
          .then((exists) => {
            relay.acceptedWhilePaused += exists;
            relay.accepted.push({ to: session.envelope.rcptTo[0]?.address ?? '', messageId });
            callback();
          })
          .catch(callback);
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  relay.url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  relay.close = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    redis.disconnect();
  };
  return relay;
}

interface Stage {
  database: TestDatabase;
  prefix: string;
  sql: Client;
  notify: Queue;
  relay: Relay;
  apps: KillableApp[];
  env: NodeJS.ProcessEnv;
  sendAt: Date;
}

interface DeliveryRow {
  email: string;
  status: string;
  attempts: number;
  rateLimited: number;
  lastError: string | null;
}

/**
 * MAIL_RATE_PER_SECOND and the relay's "slow down" answers, held across two notifier processes sharing
 * one Redis: real Postgres, Redis and SMTP. The notifiers' clock starts 12 hours before the digests are
 * due, and the test's `digest send --now` acts at the due instant.
 */
describe('Sending within the relay limits (end to end)', () => {
  const stages: Stage[] = [];

  afterEach(async () => {
    for (const stage of stages.splice(0)) {
      await Promise.all(stage.apps.map((app) => app.kill()));
      await stage.notify.close();
      await stage.sql.end();
      await stage.relay.close();
      await deleteQueueKeys(REDIS_URL, stage.prefix).catch(() => undefined);
      await stage.database.drop();
    }
  });

  async function createStage(
    label: string,
    readers: string[],
    relayOf: (prefix: string) => Promise<Relay>,
  ): Promise<Stage> {
    const database = await createTestDatabase(`mailrate_${label}`);
    const prefix = testQueuePrefix(`mailrate-${label}`);
    const relay = await relayOf(prefix);
    const sql = new Client({ connectionString: database.url });
    await sql.connect();
    const sendAt = testInstant();
    const clockStart = new Date(sendAt.getTime() - 12 * HOUR_MS);
    await sql.query(
      `INSERT INTO papers ("arxivId", title, abstract, authors, upvotes, url, "listedAt", "readyAt")
       VALUES ('2601.00001', 'A language model paper', 'We study language models.', ARRAY['Ada Lovelace'], 5,
               'https://arxiv.org/abs/2601.00001', $1::timestamptz - interval '1 hour', $1)`,
      [clockStart],
    );
    await sql.query(
      `INSERT INTO paper_topics ("paperId", topic, score, evidence) SELECT id, 'llm', 1, ARRAY['title: language model'] FROM papers`,
    );
    await sql.query(
      `INSERT INTO subscriptions (email, status, topics, frequency, timezone, "sendHour", "activatedAt")
       SELECT address, 'active', ARRAY['llm'], 'daily', 'UTC', $2, $3::timestamptz - interval '1 minute'
       FROM unnest($1::text[]) AS address`,
      [readers, sendAt.getUTCHours(), clockStart],
    );
    const notify = new Queue(QueueName.Notify, { connection: { url: REDIS_URL }, prefix });
    const stage: Stage = {
      database,
      prefix,
      sql,
      notify,
      relay,
      apps: [],
      sendAt,
      env: {
        NODE_ENV: 'test',
        DATABASE_URL: database.url,
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        SMTP_URL: relay.url,
        MAIL_FROM: `Paperboy <digest@${PUBLIC_HOST}>`,
        PUBLIC_URL: `http://${PUBLIC_HOST}`,
        APP_SECRET: 'mailrate-secret-mailrate-secret-0',
        NOTIFIER_CONCURRENCY: '8',
        LOG_LEVEL: 'info',
        CLOCK_START: clockStart.toISOString(),
      },
    };
    stages.push(stage);
    return stage;
  }

  async function startNotifiers(stage: Stage, env: NodeJS.ProcessEnv): Promise<KillableApp[]> {
    const pair = [1, 2].map(() => startKillableApp('notifier', { ...stage.env, ...env }));
    stage.apps.push(...pair);
    await withLogs(
      stage,
      waitFor('both notifiers to listen', async () => (await stage.notify.getWorkersCount()) >= 2, 60_000),
    );
    return pair;
  }

  async function sendAll(stage: Stage, readers: string[]): Promise<void> {
    const sent = await runCli(['digest', 'send', '--now', stage.sendAt.toISOString(), '--timeout', '120'], stage.env);
    await withLogs(
      stage,
      Promise.resolve().then(() => {
        expect(sent.stderr).toBe('');
        expect(sent.stdout).toContain(
          `: ${readers.length} (${readers.length} sent, 0 empty, 0 failed); deliveries: ${readers.length} email, 0 Slack, 0 failed`,
        );
      }),
    );
  }

  async function withLogs<T>(stage: Stage, promise: Promise<T>): Promise<T> {
    try {
      return await promise;
    } catch (error) {
      const logs = stage.apps.map((app, index) => `--- notifier ${index + 1}\n${app.output().slice(-4000)}`).join('\n');
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${logs}`, { cause: error });
    }
  }

  async function deliveries(stage: Stage): Promise<DeliveryRow[]> {
    return (
      await stage.sql.query<DeliveryRow>(
        `SELECT s.email, v.status, v.attempts, v."rateLimited", v."lastError"
         FROM deliveries v JOIN digests d ON d.id = v."digestId" JOIN subscriptions s ON s.id = d."subscriptionId"
         ORDER BY s.email`,
      )
    ).rows;
  }

  const addresses = (label: string, count: number): string[] =>
    Array.from({ length: count }, (_, index) => `${label}-${String(index + 1).padStart(3, '0')}@example.org`);

  const sentBy = (app: KillableApp): number => [...app.output().matchAll(/digest [0-9a-f-]{36} sent by email/g)].length;

  it('should keep two notifiers within MAIL_RATE_PER_SECOND together: every digest sent, none refused, no attempt counted for waiting', async () => {
    const readers = addresses('paced', 40);
    const stage = await createStage('paced', readers, () => startRelay(5));
    // A little under what the relay grants, as docs/operations.md advises.
    const pair = await startNotifiers(stage, { MAIL_RATE_PER_SECOND: '4' });

    await sendAll(stage, readers);

    expect(stage.relay.refused).toBe(0);
    expect(stage.relay.accepted.map((mail) => mail.to).sort()).toEqual(readers);
    expect(new Set(stage.relay.accepted.map((mail) => mail.messageId)).size).toBe(readers.length);
    const rows = await deliveries(stage);
    expect(rows.filter((row) => row.status !== 'sent' || row.attempts !== 1 || row.rateLimited !== 0)).toEqual([]);
    // Both shared the work, each within the one limit.
    expect(sentBy(pair[0])).toBeGreaterThan(0);
    expect(sentBy(pair[1])).toBeGreaterThan(0);
  }, 120_000);

  it('should be refused by the same relay without MAIL_RATE_PER_SECOND, and still send everything once after pausing', async () => {
    // The control: without the shared bucket the relay refuses some, so the test above can fail.
    const readers = addresses('unpaced', 40);
    const stage = await createStage('unpaced', readers, () => startRelay(5));
    await startNotifiers(stage, { MAIL_RATE_PER_SECOND: '0', MAIL_SLOW_DOWN_SECONDS: '1' });

    await sendAll(stage, readers);

    expect(stage.relay.refused).toBeGreaterThan(0);
    // Refused with 454, each came back later: sent once, the refusal counted as rate-limited, not as a failure.
    const rows = await deliveries(stage);
    expect(rows.filter((row) => row.status !== 'sent')).toEqual([]);
    expect(rows.reduce((sum, row) => sum + row.rateLimited, 0)).toBe(stage.relay.refused);
    expect(rows.filter((row) => row.attempts - row.rateLimited !== 1)).toEqual([]);
  }, 120_000);

  it('should pause every notifier after a 454 "slow down", then resume and send everything once', async () => {
    const readers = addresses('slowed', 8);
    const stage = await createStage('slowed', readers, (prefix) =>
      startRelay(5, { refuseFirst: 1, pauseKey: `${mailPrefix(prefix)}:pause:relay` }),
    );
    // One token a second for both: nothing else is in flight when the relay refuses the first message.
    const pair = await startNotifiers(stage, { MAIL_RATE_PER_SECOND: '1', MAIL_SLOW_DOWN_SECONDS: '2' });
    // Watched while the digests go out: without the shared pause ever set, "none accepted while paused" below
    // would hold trivially.
    const redis = new Redis(REDIS_URL);
    const pauseKey = `${mailPrefix(stage.prefix)}:pause:relay`;
    const pauseSeen = waitFor(
      'the shared pause in Redis',
      async () => {
        const ttl = await redis.pttl(pauseKey);
        return ttl > 0 ? ttl : false;
      },
      60_000,
    ).catch(() => null);

    try {
      await sendAll(stage, readers);
      const pauseMs = await pauseSeen;
      expect(pauseMs).not.toBeNull();
      expect(pauseMs).toBeLessThanOrEqual(2000);
    } finally {
      redis.disconnect();
    }

    expect(stage.relay.refused).toBe(1);
    expect(stage.relay.acceptedWhilePaused).toBe(0);
    expect(stage.relay.accepted.map((mail) => mail.to).sort()).toEqual(readers);
    const rows = await deliveries(stage);
    expect(rows.filter((row) => row.status !== 'sent')).toEqual([]);
    expect(rows.filter((row) => row.rateLimited === 1).map((row) => row.attempts)).toEqual([2]);
    expect(rows.filter((row) => row.rateLimited === 0 && row.attempts !== 1)).toEqual([]);
    expect(sentBy(pair[0]) + sentBy(pair[1])).toBe(readers.length);
  }, 120_000);
});
