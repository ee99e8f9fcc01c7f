import { Job, Queue } from 'bullmq';
import { Client } from 'pg';
import { jobOptionsFor } from '../libs/queues/src/job-options';
import { JobName, QueueName } from '../libs/queues/src/queue-contract';
import {
  AcceptedMail,
  duplicateMessageIds,
  FaultySmtp,
  flushQueuePrefix,
  KillableApp,
  SmtpFaults,
  OwnRedis,
  startFaultySmtp,
  startKillableApp,
  startOwnRedis,
} from './support/fault-injection';
import { deleteQueueKeys, runCli, waitFor } from './support/processes';
import { HOUR_MS, testInstant } from './support/test-clock';
import { createTestDatabase, TestDatabase, testQueuePrefix } from './support/test-database';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The sweep re-queues work idle this long and releases claims twice as old. */
const STALE_AFTER_SECONDS = 3;
/** NOTIFIER_CONCURRENCY of the notifiers here: at most this many sends in flight per notifier. */
const CONCURRENCY = 8;
const PUBLIC_HOST = 'paperboy.test';

/** One scenario's world: its own database, queue prefix, SMTP server and notifier processes. */
interface Stage {
  database: TestDatabase;
  prefix: string;
  redisUrl: string;
  sql: Client;
  notify: Queue;
  smtp: FaultySmtp;
  env: NodeJS.ProcessEnv;
  /** The instant every tick acts at: each reader's digest of `periodKey` is due then. */
  sendAt: Date;
  periodKey: string;
  apps: KillableApp[];
}

interface DeliveryRow {
  id: string;
  digestId: string;
  email: string;
  status: string;
  attempts: number;
  lastError: string | null;
}

interface DigestRow {
  id: string;
  email: string;
  periodKey: string;
  status: string;
}

/**
 * The notifier's delivery guarantees when things break: a notifier SIGKILLed in the middle of a fan-out,
 * Redis losing every key, an SMTP server that defers, refuses or drops, and two notifiers sharing the work.
 * Real Postgres, Redis and SMTP; the notifiers run as child processes. Subscriptions and ready papers
 * are written straight into Postgres; ticks are DigestQueueAll jobs at a fixed instant (`sendAt`).
 */
describe('Notifier delivery under faults (end to end)', () => {
  const stages: Stage[] = [];

  const teardown = async (): Promise<void> => {
    for (const stage of stages.splice(0)) {
      await Promise.all(stage.apps.map((app) => app.kill()));
      await stage.notify.close();
      await stage.sql.end();
      await stage.smtp.close();
      await deleteQueueKeys(stage.redisUrl, stage.prefix).catch(() => undefined);
      await stage.database.drop();
    }
  };
  afterEach(teardown);
  afterAll(teardown);

  /** A fresh database with `readers` (active daily email subscriptions to `llm`) and three ready `llm` papers. */
  async function createStage(label: string, readers: string[], faults: SmtpFaults = {}, redisUrl = REDIS_URL): Promise<Stage> {
    const database = await createTestDatabase(`faults_${label}`);
    const prefix = testQueuePrefix(`faults-${label}`);
    const smtp = await startFaultySmtp(faults);
    const sql = new Client({ connectionString: database.url });
    await sql.connect();
    // The digests are due at the test instant; the notifiers' clock starts 12 hours before it, so their
    // own minute tick never finds one due while the test runs, and the ticks of the test act at `sendAt`.
    const sendAt = testInstant();
    const clockStart = new Date(sendAt.getTime() - 12 * HOUR_MS);
    const sendHour = sendAt.getUTCHours();
    // Listed an hour before the notifiers' clock: inside the 2-day lookback before `sendAt`.
    await sql.query(
      `INSERT INTO papers ("arxivId", title, abstract, authors, upvotes, url, "listedAt", "readyAt")
       SELECT '2601.' || lpad(i::text, 5, '0'), 'Robust language model paper ' || i,
              'We study how language models behave under faults, part ' || i || '.', ARRAY['Ada Lovelace'],
              10 + i, 'https://arxiv.org/abs/2601.' || lpad(i::text, 5, '0'), $1::timestamptz - interval '1 hour', $1
       FROM generate_series(1, 3) AS i`,
      [clockStart],
    );
    await sql.query(
      `INSERT INTO paper_topics ("paperId", topic, score, evidence) SELECT id, 'llm', 1, ARRAY['title: language model'] FROM papers`,
    );
    await sql.query(
      `INSERT INTO subscriptions (email, status, topics, frequency, timezone, "sendHour", "activatedAt")
       SELECT address, 'active', ARRAY['llm'], 'daily', 'UTC', $2, $3::timestamptz - interval '1 minute'
       FROM unnest($1::text[]) AS address`,
      [readers, sendHour, clockStart],
    );
    const notify = new Queue(QueueName.Notify, { connection: { url: redisUrl }, prefix });
    // The test's own queue sees the outages the test makes; they are not what it checks.
    notify.on('error', () => undefined);
    const stage: Stage = {
      database,
      prefix,
      redisUrl,
      sql,
      notify,
      smtp,
      env: {
        NODE_ENV: 'test',
        DATABASE_URL: database.url,
        REDIS_URL: redisUrl,
        QUEUE_PREFIX: prefix,
        SMTP_URL: smtp.url,
        MAIL_FROM: `Paperboy <digest@${PUBLIC_HOST}>`,
        PUBLIC_URL: `http://${PUBLIC_HOST}`,
        APP_SECRET: 'faults-secret-faults-secret-faults',
        ALLOW_PRIVATE_TARGETS: 'true',
        NOTIFIER_STALE_AFTER_SECONDS: String(STALE_AFTER_SECONDS),
        NOTIFIER_CONCURRENCY: String(CONCURRENCY),
        LOG_LEVEL: 'warn',
        CLOCK_START: clockStart.toISOString(),
      },
      sendAt,
      periodKey: sendAt.toISOString().slice(0, 10),
      apps: [],
    };
    stages.push(stage);
    return stage;
  }

  const addresses = (label: string, count: number): string[] =>
    Array.from({ length: count }, (_, index) => `${label}-${String(index + 1).padStart(3, '0')}@example.org`);

  const messageIdOf = (digestId: string): string => `<digest-${digestId}@${PUBLIC_HOST}>`;

  /** Starts notifiers and waits until the notify queue has that many more workers. */
  async function startNotifiers(stage: Stage, count: number, env: NodeJS.ProcessEnv = {}): Promise<KillableApp[]> {
    const before = await stage.notify.getWorkersCount();
    const started = Array.from({ length: count }, () => startKillableApp('notifier', { ...stage.env, ...env }));
    stage.apps.push(...started);
    await withLogs(
      stage,
      waitFor('the notifiers to listen', async () => (await stage.notify.getWorkersCount()) >= before + count, 60_000),
    );
    return started;
  }

  /** Adds a scheduler tick at `sendAt`: it claims what is due and sweeps for lost work (ages on the database clock). */
  async function tick(stage: Stage): Promise<string> {
    const data = { now: stage.sendAt.toISOString() };
    const job = await stage.notify.add(JobName.DigestQueueAll, data, jobOptionsFor(JobName.DigestQueueAll, data));
    return job.id as string;
  }

  async function tickAndWait(stage: Stage): Promise<void> {
    const id = await tick(stage);
    await withLogs(
      stage,
      waitFor(`tick ${id} to complete`, async () => (await stage.notify.getJobState(id)) === 'completed', 30_000),
    );
  }

  /** Polls until `probe` holds, with a tick every second, as the scheduler would (every minute) in production. */
  function untilWithTicks<T>(
    stage: Stage,
    what: string,
    probe: () => Promise<T | false>,
    timeoutMs: number,
  ): Promise<T> {
    let lastTick = 0;
    return withLogs(
      stage,
      waitFor(
        what,
        async () => {
          if (Date.now() - lastTick >= 1000) {
            lastTick = Date.now();
            await tick(stage);
          }
          return probe();
        },
        timeoutMs,
      ),
    );
  }

  /** Adds the notifiers' logs to a failure: they say why a job failed. */
  async function withLogs<T>(stage: Stage, promise: Promise<T>): Promise<T> {
    try {
      return await promise;
    } catch (error) {
      const logs = stage.apps.map((app, index) => `--- notifier ${index + 1}\n${app.output().slice(-6000)}`).join('\n');
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${logs}`, { cause: error });
    }
  }

  async function deliveries(stage: Stage): Promise<DeliveryRow[]> {
    const result = await stage.sql.query<DeliveryRow>(
      `SELECT v.id, v."digestId", s.email, v.status, v.attempts, v."lastError"
       FROM deliveries v JOIN digests d ON d.id = v."digestId" JOIN subscriptions s ON s.id = d."subscriptionId"
       ORDER BY s.email`,
    );
    return result.rows;
  }

  async function digests(stage: Stage): Promise<DigestRow[]> {
    const result = await stage.sql.query<DigestRow>(
      `SELECT d.id, s.email, d."periodKey", d.status FROM digests d JOIN subscriptions s ON s.id = d."subscriptionId" ORDER BY s.email`,
    );
    return result.rows;
  }

  const countBy = (rows: DeliveryRow[], status: string): number => rows.filter((row) => row.status === status).length;

  async function sendingIds(stage: Stage): Promise<string[]> {
    return (await deliveries(stage)).filter((row) => row.status === 'sending').map((row) => row.digestId);
  }

  /**
   * Every reader has exactly one digest, for the period, sent, with one email delivery, sent; the SMTP
   * server received it under its digest's Message-ID and no other digest; any Message-ID it received twice
   * belongs to `mayRepeat` (digest ids). Returns the duplicated Message-IDs.
   */
  async function expectEachReaderServedOnce(
    stage: Stage,
    readers: string[],
    mayRepeat: string[],
  ): Promise<Map<string, number>> {
    const digestRows = await digests(stage);
    expect(digestRows.map((row) => row.email)).toEqual([...readers].sort());
    expect(new Set(digestRows.map((row) => row.periodKey))).toEqual(new Set([stage.periodKey]));
    expect(digestRows.filter((row) => row.status !== 'sent')).toEqual([]);
    const deliveryRows = await deliveries(stage);
    expect(deliveryRows.map((row) => row.email)).toEqual([...readers].sort());
    expect(deliveryRows.filter((row) => row.status !== 'sent')).toEqual([]);

    const digestOf = new Map(digestRows.map((row) => [row.email, row.id]));
    const received = new Map<string, Set<string>>();
    for (const mail of stage.smtp.mails) {
      expect(mail.to).toHaveLength(1);
      const ids = received.get(mail.to[0]) ?? new Set<string>();
      received.set(mail.to[0], ids.add(mail.messageId));
    }
    expect([...received.keys()].sort()).toEqual([...readers].sort());
    for (const reader of readers) {
      expect([reader, [...(received.get(reader) ?? [])]]).toEqual([
        reader,
        [messageIdOf(digestOf.get(reader) as string)],
      ]);
    }
    const duplicates = duplicateMessageIds(stage.smtp.mails);
    const allowed = new Set(mayRepeat.map(messageIdOf));
    expect([...duplicates.keys()].filter((id) => !allowed.has(id))).toEqual([]);
    // A repeat is one crashed send sent again, never more.
    expect([...duplicates.values()].filter((count) => count > 2)).toEqual([]);
    return duplicates;
  }

  it('should deliver every digest once a new notifier replaces one SIGKILLed mid fan-out, repeating only the sends in flight', async () => {
    const readers = addresses('kill', 150);
    // A slow relay (80 ms a message, 5 pooled connections): the fan-out takes several seconds.
    const stage = await createStage('kill', readers, { answerDelayMs: 80 });
    const [first] = await startNotifiers(stage, 1);

    let killed: Promise<void> | undefined;
    stage.smtp.faults.onAccepted = (_mail: AcceptedMail, accepted: number) => {
      if (accepted === 40) {
        // From inside the SMTP server, so the notifier dies with sends certainly in flight.
        killed ??= first.kill();
      }
    };
    await tick(stage);
    await withLogs(
      stage,
      waitFor('the 40th digest, and the kill', () => Promise.resolve(killed !== undefined), 60_000),
    );
    await killed;
    stage.smtp.faults.onAccepted = undefined;

    // Claimed by the dead notifier and never finished: the sends that may have happened without a record.
    const inFlight = await sendingIds(stage);
    expect(inFlight.length).toBeGreaterThan(0);
    expect(inFlight.length).toBeLessThanOrEqual(CONCURRENCY);
    const before = await deliveries(stage);
    expect(countBy(before, 'sent')).toBeLessThan(readers.length - inFlight.length);

    await waitFor('the dead notifier to leave Redis', async () => (await stage.notify.getWorkersCount()) === 0, 10_000);
    await startNotifiers(stage, 1);
    // The sweep releases the dead claims after 2 x NOTIFIER_STALE_AFTER_SECONDS; their jobs come back
    // when BullMQ finds them stalled (lock expired: 30 s, checked every 30 s).
    await untilWithTicks(
      stage,
      'every delivery sent',
      async () => countBy(await deliveries(stage), 'sent') === readers.length,
      150_000,
    );

    const duplicates = await expectEachReaderServedOnce(stage, readers, inFlight);
    expect(duplicates.size).toBeLessThanOrEqual(inFlight.length);
    // Only the released claims were attempted twice.
    const retried = (await deliveries(stage)).filter((row) => row.attempts > 1);
    expect(retried.map((row) => row.digestId).sort()).toEqual([...inFlight].sort());
    expect(retried.every((row) => row.attempts === 2)).toBe(true);
  }, 180_000);

  it('should deliver every digest exactly once after Redis loses all its keys mid fan-out', async () => {
    const readers = addresses('flush', 120);
    const stage = await createStage('flush', readers, { answerDelayMs: 60 });
    await startNotifiers(stage, 1);

    interface Flush {
      keys: number;
      /** Deliveries claimed just before and just after the flush: the sends in flight at it are among them. */
      claimedBefore: string[];
      claimedAfter: string[];
    }
    let flushed: Promise<Flush> | undefined;
    stage.smtp.faults.onAccepted = (_mail: AcceptedMail, accepted: number) => {
      if (accepted === 30) {
        flushed ??= (async () => {
          const claimedBefore = await sendingIds(stage);
          const keys = await flushQueuePrefix(REDIS_URL, stage.prefix);
          return { keys, claimedBefore, claimedAfter: await sendingIds(stage) };
        })();
      }
    };
    await tick(stage);
    await withLogs(
      stage,
      waitFor('the 30th digest, and the flush', () => Promise.resolve(flushed !== undefined), 60_000),
    );
    const { keys, claimedBefore, claimedAfter } = await (flushed as Promise<Flush>);
    stage.smtp.faults.onAccepted = undefined;
    expect(keys).toBeGreaterThan(0);
    expect(claimedBefore.length).toBeLessThanOrEqual(CONCURRENCY);
    expect(claimedAfter.length).toBeLessThanOrEqual(CONCURRENCY);
    const inFlight = [...new Set([...claimedBefore, ...claimedAfter])];
    const owed = (await deliveries(stage)).filter((row) => row.status === 'pending').length;
    const unbuilt = (await digests(stage)).filter((row) => row.status === 'pending').length;
    expect(owed + unbuilt).toBeGreaterThan(0); // work whose jobs are gone: only Postgres remembers it

    // The same notifier keeps running; the sweep finds what Postgres still owes.
    await untilWithTicks(
      stage,
      'every delivery sent',
      async () => countBy(await deliveries(stage), 'sent') === readers.length,
      60_000,
    );

    const duplicates = await expectEachReaderServedOnce(stage, readers, inFlight);
    expect(duplicates.size).toBeLessThanOrEqual(CONCURRENCY);
    // No claim was released: the sends in flight at the flush finished and recorded their outcome.
    expect((await deliveries(stage)).filter((row) => row.attempts !== 1)).toEqual([]);
    expect(stage.apps[0].child.exitCode).toBeNull();
  }, 120_000);

  it('should resume alone after Redis restarts empty mid fan-out, logging each condition once as JSON, no raw stacks', async () => {
    const redis: OwnRedis = await startOwnRedis();
    try {
      const readers = addresses('restart', 120);
      const stage = await createStage('restart', readers, { answerDelayMs: 60 }, redis.url);
      const [notifier] = await startNotifiers(stage, 1);
      let crashed: Promise<void> | undefined;
      stage.smtp.faults.onAccepted = (_mail: AcceptedMail, accepted: number) => {
        if (accepted === 30) {
          crashed ??= redis.crash();
        }
      };
      await tick(stage);
      await withLogs(stage, waitFor('the 30th digest, and the crash', () => Promise.resolve(crashed !== undefined), 60_000));
      await crashed;
      stage.smtp.faults.onAccepted = undefined;
      // Down until the notifier has said so (a positive signal, not a sleep), then back with no keys at all.
      await withLogs(
        stage,
        waitFor('the notifier to report the outage', () => Promise.resolve(/ECONNREFUSED/.test(notifier.output())), 30_000),
      );
      await redis.start();

      await untilWithTicks(
        stage,
        'every delivery sent after the restart',
        async () => countBy(await deliveries(stage), 'sent') === readers.length,
        90_000,
      );
      expect([notifier.child.exitCode, notifier.child.signalCode]).toEqual([null, null]);
      await expectEachReaderServedOnce(stage, readers, (await digests(stage)).map((row) => row.id));

      // Nothing raw on stderr (BullMQ's console.error, ioredis's "Unhandled error event"): the JSON log only.
      expect(notifier.stderr()).toBe('');
      const lines = notifier.output().split('\n').filter((line) => line.trim() !== '');
      const records = lines.map((line) => JSON.parse(line) as { level: number; context?: string; msg: string });
      const warnings = records.filter((record) => record.level >= 40);
      expect(warnings.some((record) => /ECONNREFUSED/.test(record.msg))).toBe(true);
      // One line per condition and reporter while it lasts, with a count when it ends: not one per attempt or job.
      const perCondition = new Map<string, number>();
      for (const record of warnings.filter((r) => !/repeated \d+ more times/.test(r.msg))) {
        const key = `${record.context ?? ''} ${record.msg}`;
        perCondition.set(key, (perCondition.get(key) ?? 0) + 1);
      }
      expect([...perCondition].filter(([, count]) => count > 2)).toEqual([]);
      expect(warnings.length).toBeLessThan(40);
    } finally {
      await teardown();
      await redis.stop();
    }
  }, 180_000);

  it('should retry deferred and dropped sends, and fail a hard bounce once, counting it', async () => {
    const readers = addresses('retry', 30);
    const deferred = new Set(readers.filter((_, index) => index % 3 === 2)); // a third: 451 on the first try
    const bounce = 'bounce@example.org'; // 550, always
    const drop = 'drop@example.org'; // connection dropped after the first DATA
    const everyone = [...readers, bounce, drop];
    const stage = await createStage('retry', everyone, {
      rcptTo: (address, attempt) => {
        if (address === bounce) {
          return { code: 550, message: 'No such user here' };
        }
        return deferred.has(address) && attempt === 1 ? { code: 451, message: 'Greylisted, try again later' } : null;
      },
      dropAfterData: (to, attempt) => to.includes(drop) && attempt === 1,
    });
    await startNotifiers(stage, 1);
    await tickAndWait(stage);

    // First attempts done: 20 sent, the bounce failed, the deferred and the dropped ones back to pending.
    const retrying = [...deferred, drop].sort();
    await withLogs(
      stage,
      waitFor(
        'the first attempts to settle',
        async () => {
          const rows = await deliveries(stage);
          const pending = rows.filter(
            (row) => row.status === 'pending' && row.attempts === 1 && row.lastError !== null,
          );
          return (
            countBy(rows, 'sent') === readers.length - deferred.size &&
            countBy(rows, 'failed') === 1 &&
            pending.length === retrying.length
          );
        },
        30_000,
      ),
    );
    const firstRound = await deliveries(stage);
    const rowOf = (rows: DeliveryRow[], email: string): DeliveryRow =>
      rows.find((row) => row.email === email) as DeliveryRow;
    expect(retrying.map((email) => rowOf(firstRound, email).status)).toEqual(retrying.map(() => 'pending'));
    for (const email of deferred) {
      expect(rowOf(firstRound, email).lastError).toMatch(/451/);
    }
    expect(rowOf(firstRound, bounce)).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: expect.stringMatching(/550/),
    });

    // The first attempt was made by the digest's own job; each pending delivery gets a job of its own that
    // waits out a first backoff (60 s, with jitter), then backs off exponentially.
    const jobOf = async (row: DeliveryRow): Promise<Job> => (await stage.notify.getJob(`delivery-${row.id}`)) as Job;
    for (const email of retrying) {
      const job = await jobOf(rowOf(firstRound, email));
      expect([email, await job.getState(), job.attemptsMade]).toEqual([email, 'delayed', 0]);
      expect(job.opts.backoff).toEqual({ type: 'exponential', delay: 60_000, jitter: 0.5 });
      expect(job.delay).toBeGreaterThanOrEqual(30_000); // 60 s, less up to half of it for jitter
      expect(job.delay).toBeLessThanOrEqual(60_000);
    }
    // A hard bounce is final: nothing retries it.
    expect(await jobOf(rowOf(firstRound, bounce))).toBeUndefined();

    // The sweep leaves scheduled retries alone: after a tick that sees them stale, nothing was re-sent.
    await waitFor(
      'the pending deliveries to be stale',
      async () =>
        (
          await stage.sql.query<{ fresh: number }>(
            `SELECT count(*)::int AS fresh FROM deliveries WHERE status = 'pending' AND "updatedAt" > now() - make_interval(secs => $1)`,
            [STALE_AFTER_SECONDS + 0.5],
          )
        ).rows[0].fresh === 0,
      15_000,
    );
    await tickAndWait(stage);
    for (const email of retrying) {
      expect([email, await (await jobOf(rowOf(firstRound, email))).getState()]).toEqual([email, 'delayed']);
    }
    expect(stage.smtp.mails).toHaveLength(readers.length - deferred.size + 1); // the sent ones and the dropped one

    // As if the backoff had elapsed.
    for (const email of retrying) {
      await (await jobOf(rowOf(firstRound, email))).promote();
    }
    await withLogs(
      stage,
      waitFor(
        'the retries to be sent',
        async () => countBy(await deliveries(stage), 'sent') === readers.length + 1,
        30_000,
      ),
    );
    await tickAndWait(stage); // a sweep after everything settled sends nothing more

    const rows = await deliveries(stage);
    const digestRows = await digests(stage);
    const digestOf = (email: string): DigestRow => digestRows.find((row) => row.email === email) as DigestRow;
    for (const email of [...readers, drop]) {
      expect([email, rowOf(rows, email).status, rowOf(rows, email).lastError, digestOf(email).status]).toEqual([
        email,
        'sent',
        null,
        'sent',
      ]);
      expect([email, rowOf(rows, email).attempts]).toEqual([email, retrying.includes(email) ? 2 : 1]);
    }
    const mailsTo = (email: string): AcceptedMail[] => stage.smtp.mails.filter((mail) => mail.to.includes(email));
    for (const email of readers) {
      expect([email, mailsTo(email).map((mail) => mail.messageId)]).toEqual([email, [messageIdOf(digestOf(email).id)]]);
      expect([email, stage.smtp.rcptAttempts.get(email)]).toEqual([email, deferred.has(email) ? 2 : 1]);
    }
    // The dropped connection: the relay had the message, the notifier could not know; sent again, same Message-ID.
    expect(mailsTo(drop).map((mail) => [mail.messageId, mail.dropped])).toEqual([
      [messageIdOf(digestOf(drop).id), true],
      [messageIdOf(digestOf(drop).id), false],
    ]);
    expect([...duplicateMessageIds(stage.smtp.mails).keys()]).toEqual([messageIdOf(digestOf(drop).id)]);

    // The hard bounce: tried once, failed for good, counted against the address (not yet suppressed: 2 needed).
    expect(rowOf(rows, bounce)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(digestOf(bounce).status).toBe('failed');
    expect(mailsTo(bounce)).toEqual([]);
    expect(stage.smtp.rcptAttempts.get(bounce)).toBe(1);
    const subscription = await stage.sql.query<{ hardBounces: number; suppressed: boolean }>(
      `SELECT "hardBounces", "emailSuppressedAt" IS NOT NULL AS suppressed FROM subscriptions WHERE email = $1`,
      [bounce],
    );
    expect(subscription.rows).toEqual([{ hardBounces: 1, suppressed: false }]);
    const others = await stage.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM subscriptions WHERE "hardBounces" > 0`,
    );
    expect(others.rows[0].n).toBe(1);
  }, 120_000);

  it('should keep delivering, with no notifier exiting, when Postgres drops every connection twice mid fan-out', async () => {
    const readers = addresses('pgdrop', 150);
    const stage = await createStage('pgdrop', readers, { answerDelayMs: 40 });
    const notifiers = await startNotifiers(stage, 2);
    const dropped: Promise<number>[] = [];
    stage.smtp.faults.onAccepted = (_mail: AcceptedMail, accepted: number) => {
      if (accepted === 30 || accepted === 90) {
        // As a failover or an administrator would: every backend of the database but the test's own.
        dropped.push(
          stage.sql
            .query(
              `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
               WHERE datname = current_database() AND pid <> pg_backend_pid()`,
            )
            .then((result) => result.rows[0].n as number),
        );
      }
    };
    await tick(stage);
    await withLogs(stage, waitFor('both drops', () => Promise.resolve(dropped.length === 2), 60_000));
    const terminated = await Promise.all(dropped);
    expect(terminated.every((count) => count > 0)).toBe(true);
    stage.smtp.faults.onAccepted = undefined;

    await untilWithTicks(
      stage,
      'every delivery sent after the drops',
      async () => countBy(await deliveries(stage), 'sent') === readers.length,
      90_000,
    );
    for (const notifier of notifiers) {
      expect([notifier.child.exitCode, notifier.child.signalCode]).toEqual([null, null]);
      expect(notifier.output()).not.toMatch(/Unhandled 'error' event|Connection terminated unexpectedly\n\s+at /);
      expect(notifier.stderr()).toBe('');
    }
    // A send whose outcome could not be recorded when its connection went is sent again, once at most.
    const duplicates = await expectEachReaderServedOnce(
      stage,
      readers,
      (await digests(stage)).map((row) => row.id),
    );
    expect(duplicates.size).toBeLessThanOrEqual(2 * 2 * CONCURRENCY);
  }, 180_000);

  it('should split the work between two notifiers without sending anything twice', async () => {
    const readers = addresses('pair', 100);
    const stage = await createStage('pair', readers, { answerDelayMs: 20 });
    const pair = await startNotifiers(stage, 2, { LOG_LEVEL: 'info' });

    const sent = await runCli(['digest', 'send', '--now', stage.sendAt.toISOString(), '--timeout', '120'], stage.env);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    expect(sent.stdout).toContain(
      `: ${readers.length} (${readers.length} sent, 0 empty, 0 failed); deliveries: ${readers.length} email, 0 Slack, 0 failed`,
    );

    const duplicates = await expectEachReaderServedOnce(stage, readers, []);
    expect(duplicates.size).toBe(0);
    expect((await deliveries(stage)).filter((row) => row.attempts !== 1)).toEqual([]);
    // Each digest was sent by exactly one of the two processes, and each process sent some.
    const sentBy = pair.map((app) =>
      [...app.output().matchAll(/digest ([0-9a-f-]{36}) sent by email/g)].map((match) => match[1]),
    );
    expect(sentBy[0].length).toBeGreaterThan(0);
    expect(sentBy[1].length).toBeGreaterThan(0);
    expect([...sentBy[0], ...sentBy[1]].sort()).toEqual((await digests(stage)).map((row) => row.id).sort());
  }, 120_000);
});
