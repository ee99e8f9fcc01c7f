import { ChildProcess } from 'node:child_process';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { TOPIC_SLUGS } from '../libs/domain/src';
import { deleteQueueKeys } from '../test/support/processes';
import { repositoryRoot } from '../test/support/stand-ins';
import { createTestDatabase } from '../test/support/test-database';
import { argument, onTeardown, runBench, startChild, stopChild, waitFor } from './bench-support';
import {
  backendCpuMs,
  bareNodemailer,
  BENCH_SECRET,
  commandCpuMs,
  cpuMs,
  notifierFlags,
  peakRssKb,
  resetPeakRss,
  sampleEmail,
  seedPapers,
  startSink,
  sumCpuSince,
} from './notifier-support';

/**
 * A million subscribers: N daily subscriptions (COPY) spread over 24 send hours and 24 time zones
 * (half- and quarter-hour offsets among them), one day of papers, and the built notifier as 1 and as 2
 * processes sending into a counting SMTP sink of its own process.
 *
 *  A. The first tick after the import (every subscription read, each owed its latest send): the time to
 *     claim all of them, the queue it leaves in Redis. Those digests hold no paper (the day's papers are
 *     listed after it) and are not built: the waiting jobs are drained and the digests recorded empty.
 *  B. One notifier, the tick an hour later: the time to claim one send hour's digests (N/24), then
 *     digests built and sent a second, CPU per digest of each process, peak memory.
 *  C. Two notifiers, the next hour, two ticks at once (one each): the same figures, and how often a
 *     backend of the bench's database waited for a lock while the ticks ran.
 *
 * The SMTP-only path (a bare nodemailer pool sending one prebuilt digest, bench:notifier) is measured on
 * the same sink in the same run. The bench's clock is two days ahead of the machine's (each tick carries
 * its instant), so the notifiers' own minute ticks find nothing due and measure nothing by accident.
 *
 * `--hour-seconds N` stops measuring a send hour after N seconds (what was sent by then counts) and drains
 * the rest, recorded as the bench's own: at a million an hour's 41,667 digests take longer than a run may.
 *
 * `--seed-first-tick` records what the first tick would (each subscription's latest send, as an empty
 * digest, and its next planning time) in SQL instead of running it: A is then not measured.
 *
 *   npm run bench:scale -- [--subscribers 1000000] [--papers 150] [--baseline 5000] [--hour-seconds 600]
 *     [--seed-first-tick]
 */
const root = repositoryRoot(__dirname);
const subscribers = Number(argument('--subscribers') ?? 1_000_000);
const paperCount = Number(argument('--papers') ?? 150);
const baselineMessages = Number(argument('--baseline') ?? 5_000);
const hourSeconds = Number(argument('--hour-seconds') ?? 3600);
const seedFirstTick = process.argv.includes('--seed-first-tick');
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const HOUR = 3600_000;

/** Zones of every continent, whole, half and quarter hours, both sides of UTC, some with DST. */
const ZONES = [
  'UTC',
  'Europe/London',
  'Europe/Berlin',
  'Europe/Helsinki',
  'Europe/Moscow',
  'Asia/Dubai',
  'Asia/Karachi',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Asia/Dhaka',
  'Asia/Bangkok',
  'Asia/Shanghai',
  'Asia/Tokyo',
  'Australia/Adelaide',
  'Australia/Sydney',
  'Pacific/Auckland',
  'Pacific/Honolulu',
  'America/Anchorage',
  'America/Los_Angeles',
  'America/Denver',
  'America/Chicago',
  'America/New_York',
  'America/Sao_Paulo',
  'Atlantic/Azores',
];

/** A: the first tick, its claims and the queue it leaves. */
interface FirstTick {
  seconds: number;
  claimed: number;
  toBuild: number;
  queued: { jobs: number; bytes: number };
  peakMb: number[];
  statements: [string, number][];
}

/** What a send hour had spent when its measurement stopped. */
interface Spent {
  seconds: number;
  sent: number;
  notifierMs: number;
  postgresMs: number;
  sinkMs: number;
  redisMs: number;
}

interface Phase {
  label: string;
  replicas: number;
  ticks: { seconds: number }[];
  digests: number;
  sent: number;
  seconds: number;
  notifierMs: number;
  postgresMs: number;
  sinkMs: number;
  redisMs: number;
  peakMb: number[];
  lockSamples: { waiting: number; total: number };
  /** The statements busy backends were seen running, most seen first, with the number of sightings. */
  statements: [string, number][];
}

async function main(): Promise<void> {
  const database = await createTestDatabase('scale');
  onTeardown(() => database.drop());
  const prefix = `paperboy-scale-${process.pid}`;
  onTeardown(() => deleteQueueKeys(redisUrl, prefix));
  const sink = await startSink();
  const sql = new Client({ connectionString: database.url });
  await sql.connect();
  onTeardown(() => sql.end());
  const queue = new Queue('notify', { connection: { url: redisUrl }, prefix });
  onTeardown(() => queue.close());
  const redis = new Redis(redisUrl);
  onTeardown(() => redis.quit());

  // Two days ahead, on the hour: no real minute tick of the notifiers reaches the bench's send times.
  const t0 = new Date(Math.floor(Date.now() / HOUR) * HOUR + 48 * HOUR);
  console.log(`Seeding ${paperCount} papers and ${subscribers.toLocaleString('en')} subscriptions (COPY)…`);
  // The day's papers are listed in the hour after the first tick: its digests hold none, the next ticks' all.
  await seedPapers(sql, (index) => new Date(t0.getTime() + 60_000 + (index * 55 * 60_000) / paperCount), paperCount);
  const copyStarted = performance.now();
  await copySubscriptions(sql, t0);
  const copySeconds = (performance.now() - copyStarted) / 1000;
  await sql.query('ANALYZE');
  if (process.env.BENCH_EXPLAIN) {
    // The plans of statements slower than BENCH_EXPLAIN ms go to the server's log (auto_explain).
    await sql.query(
      `ALTER DATABASE "${sql.database}" SET session_preload_libraries = 'auto_explain';
       ALTER DATABASE "${sql.database}" SET auto_explain.log_min_duration = ${Number(process.env.BENCH_EXPLAIN)};
       ALTER DATABASE "${sql.database}" SET auto_explain.log_analyze = on`,
    );
  }
  const sizeAfterImport = await databaseSize(sql);

  const email = await sampleEmail(sql);
  console.log(`SMTP only: a bare nodemailer pool sending one prebuilt digest ${baselineMessages} times…`);
  const smtpBefore = await bareNodemailer(sink.port, email, baselineMessages, true, 1000, sink.process.pid);

  const env = {
    ...process.env,
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
    APP_SECRET: BENCH_SECRET,
    PUBLIC_URL: 'https://papers.example.org',
    LOG_LEVEL: 'warn',
  };
  const notifiers: ChildProcess[] = [];
  const startNotifier = async (): Promise<void> => {
    notifiers.push(
      await startChild(process.execPath, [...notifierFlags(), join(root, 'dist/apps/notifier/src/main.js')], {
        env,
        stdio: ['ignore', 'inherit', 'inherit'],
      }),
    );
    await waitFor(async () => (await queue.getWorkersCount()) >= notifiers.length, 120_000);
  };
  await startNotifier();

  let phaseA: FirstTick;
  if (seedFirstTick) {
    console.log('A. Not measured: the first tick recorded in SQL…');
    const seeding = performance.now();
    const claimed = await seedLatestSends(sql, t0);
    phaseA = {
      seconds: (performance.now() - seeding) / 1000,
      claimed,
      toBuild: 0,
      queued: { jobs: 0, bytes: 0 },
      peakMb: [],
      statements: [],
    };
  } else {
    phaseA = await firstTick(sql, queue, redis, prefix, database.url, notifiers, t0);
  }
  console.log(`  A: ${phaseA.claimed} claimed in ${phaseA.seconds.toFixed(1)} s`);

  console.log('B. One notifier, the next hour…');
  const one = await sendHour(
    database.url,
    sql,
    queue,
    redis,
    sink.process.pid,
    notifiers,
    'one notifier',
    new Date(t0.getTime() + HOUR),
    1,
  );
  console.log(`  B: ${JSON.stringify({ ...one, statements: undefined })}`);
  await startNotifier();
  console.log('C. Two notifiers, the hour after, two ticks at once…');
  const two = await sendHour(
    database.url,
    sql,
    queue,
    redis,
    sink.process.pid,
    notifiers,
    'two notifiers',
    new Date(t0.getTime() + 2 * HOUR),
    2,
  );
  console.log(`  C: ${JSON.stringify({ ...two, statements: undefined })}`);
  const smtpAfter = await bareNodemailer(sink.port, email, baselineMessages, true, 1000, sink.process.pid);
  const smtp = (smtpBefore.rate + smtpAfter.rate) / 2;
  for (const child of notifiers) {
    await stopChild(child);
  }
  await sql.query('VACUUM ANALYZE');
  const sizeAtEnd = await databaseSize(sql);
  const tables = await tableSizes(sql);
  const load = (await import('node:os')).loadavg();

  const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  const phaseLine = (phase: Phase): string => {
    const rate = phase.sent / phase.seconds;
    return `  ${phase.label}: ${phase.digests} digests due, tick ${phase.ticks.map((t) => `${t.seconds.toFixed(1)} s`).join(' and ')}; ${phase.sent} sent in ${phase.seconds.toFixed(1)} s = ${rate.toFixed(0)} digests/s (${(rate / smtp).toFixed(2)} of SMTP only)
    CPU per digest: notifier ${(phase.notifierMs / phase.sent).toFixed(2)} ms, Postgres ${(phase.postgresMs / phase.sent).toFixed(2)} ms, sink ${(phase.sinkMs / phase.sent).toFixed(2)} ms, Redis ${(phase.redisMs / phase.sent).toFixed(2)} ms; peak RSS ${phase.peakMb.map((m) => `${m.toFixed(0)} MB`).join(', ')}; lock waits seen in ${phase.lockSamples.waiting} of ${phase.lockSamples.total} samples while ticking
    Postgres busy with (sightings): ${phase.statements.map(([statement, seen]) => `${seen} × ${statement}`).join('\n      ')}`;
  };
  console.log(`
Scale, ${subscribers.toLocaleString('en')} subscriptions over 24 hours and ${ZONES.length} zones, ${paperCount} papers (${new Date().toISOString()}, load average ${load.map((l) => l.toFixed(1)).join(' ')})
  import: COPY of ${subscribers} subscriptions in ${copySeconds.toFixed(1)} s; database ${mb(sizeAfterImport)}
  SMTP only (one prebuilt digest, bare nodemailer pool, same sink): ${smtp.toFixed(0)} messages/s (before ${smtpBefore.rate.toFixed(0)}, after ${smtpAfter.rate.toFixed(0)}); sender ${smtpBefore.senderMsEach.toFixed(2)} ms, sink ${smtpBefore.sinkMsEach.toFixed(2)} ms CPU each
  A. ${seedFirstTick ? 'first tick recorded in SQL (not measured)' : 'first tick, all due'}: ${phaseA.claimed} digests claimed (${phaseA.toBuild} to build) in ${phaseA.seconds.toFixed(1)} s; queue in Redis ${mb(phaseA.queued.bytes)} for ${phaseA.queued.jobs} jobs (${(phaseA.queued.bytes / Math.max(1, phaseA.queued.jobs)).toFixed(0)} bytes a job); notifier peak RSS ${phaseA.peakMb.map((m) => `${m.toFixed(0)} MB`).join(', ')}
    Postgres busy with (sightings): ${phaseA.statements.map(([statement, seen]) => `${seen} × ${statement}`).join('\n      ')}
${phaseLine(one)}
${phaseLine(two)}
  two notifiers / one: ${(two.sent / two.seconds / (one.sent / one.seconds)).toFixed(2)}x
  Postgres at the end: ${mb(sizeAtEnd)} (${tables.map((t) => `${t.name} ${mb(t.bytes)}`).join(', ')})`);
}

/**
 * Daily subscriptions, streamed into COPY: hour `i % 24` in zone `(i / 24) % 24`, so every UTC hour gets
 * its share; filters varied as in bench:notifier. Unchanged since 30 days before the first tick, with no
 * digest yet, and planned for that tick.
 */
async function copySubscriptions(sql: Client, t0: Date): Promise<void> {
  const since = new Date(t0.getTime() - 30 * 24 * HOUR).toISOString();
  const planAt = t0.toISOString();
  function* rows(): Generator<string> {
    const batch: string[] = [];
    for (let i = 1; i <= subscribers; i += 1) {
      const topics = i % 5 === 0 ? [] : TOPIC_SLUGS.filter((_, n) => (n + 1 + i) % 7 === 0).slice(0, 1 + (i % 3));
      const keywords = i % 4 === 0 ? ['quantization', 'agent'] : i % 9 === 0 ? ['reasoning'] : [];
      const zone = ZONES[Math.floor(i / 24) % ZONES.length];
      batch.push(
        `reader${i}@scale.example\tactive\t{${topics.join(',')}}\t{${keywords.join(',')}}\tdaily\t${zone}\t${i % 24}\t${10 + (i % 11)}\t${since}\t${since}\t${since}\t${planAt}\n`,
      );
      if (batch.length === 5000) {
        yield batch.join('');
        batch.length = 0;
      }
    }
    if (batch.length > 0) {
      yield batch.join('');
    }
  }
  const copy = sql.query(
    copyFrom(
      `COPY subscriptions (email, status, topics, keywords, frequency, timezone, "sendHour", "maxPapers", "activatedAt", "createdAt", "updatedAt", "planAt") FROM STDIN`,
    ),
  );
  await pipeline(Readable.from(rows()), copy);
}

/**
 * A. The first tick after the import: every subscription read, each claimed its latest send. Those
 * digests hold no paper and are not built: drained, and recorded as the empty digests their builds make.
 */
async function firstTick(
  sql: Client,
  queue: Queue,
  redis: Redis,
  prefix: string,
  url: string,
  notifiers: ChildProcess[],
  t0: Date,
): Promise<FirstTick> {
  console.log('A. The first tick: every subscription read, each claimed its latest send…');
  notifiers.forEach((child) => resetPeakRss(child.pid));
  const digestsBefore = await count(sql, 'digests');
  const sampler = sampleActivity(url);
  const [tickAll] = await tick(queue, redis, [t0]);
  sampler.endOfTicks();
  const statements = await sampler.stop();
  const claimed = (await count(sql, 'digests')) - digestsBefore;
  const toBuild = Number((await sql.query(`SELECT count(*) AS n FROM digests WHERE status = 'pending'`)).rows[0].n);
  const queued = await queueMemory(queue, redis, prefix);
  const peakMb = notifiers.map((child) => peakRssKb(child.pid) / 1024);
  // Paused first, so no worker takes a job whose keys are being deleted. Cleaned, not drained: BullMQ 6.7's
  // drain skips a job scheduler's waiting job but trims the wait list by the count it removed, leaving ids
  // of deleted jobs behind (a worker then gets a job without name or data).
  await queue.pause();
  await waitFor(async () => (await queue.getActiveCount()) === 0, 600_000);
  await queue.clean(0, 0, 'wait');
  await queue.resume();
  await sql.query(`UPDATE digests SET status = 'empty', "builtAt" = now(), "paperCount" = 0 WHERE status = 'pending'`);
  return { seconds: tickAll.seconds, claimed, toBuild, queued, peakMb, statements };
}

/**
 * What the first tick records, in SQL: each subscription's latest send at or before t0 as an empty
 * digest (its local day's key), and its next send time as its planAt. No zone of the bench changes its
 * offset in the days around a run in December.
 */
async function seedLatestSends(sql: Client, t0: Date): Promise<number> {
  const latestDay = `CASE WHEN (($1::timestamptz AT TIME ZONE s.timezone)::date + make_interval(hours => s."sendHour"))
      AT TIME ZONE s.timezone <= $1::timestamptz
    THEN ($1::timestamptz AT TIME ZONE s.timezone)::date ELSE ($1::timestamptz AT TIME ZONE s.timezone)::date - 1 END`;
  const { rowCount } = await sql.query(
    `INSERT INTO digests ("subscriptionId", "periodKey", "dueAt", "plannedFor", status, "paperCount", "builtAt")
     SELECT s.id, to_char(d.day, 'YYYY-MM-DD'), d.due, d.due, 'empty', 0, d.due
     FROM subscriptions s CROSS JOIN LATERAL (SELECT ${latestDay} AS day) l
       CROSS JOIN LATERAL (SELECT l.day, (l.day + make_interval(hours => s."sendHour")) AT TIME ZONE s.timezone AS due) d`,
    [t0],
  );
  await sql.query(
    `UPDATE subscriptions s SET "planAt" = ((${latestDay}) + 1 + make_interval(hours => s."sendHour")) AT TIME ZONE s.timezone`,
    [t0],
  );
  await sql.query('VACUUM ANALYZE digests, subscriptions');
  return rowCount ?? 0;
}

/** Queues one tick per instant at once and waits for all; each tick's time is its job's, from start to end. */
async function tick(queue: Queue, client: Redis, instants: Date[]): Promise<{ seconds: number }[]> {
  const jobs = await Promise.all(instants.map((now) => queue.add('DigestQueueAll', { now: now.toISOString() })));
  const done = async (id: string): Promise<boolean> => ['completed', 'failed'].includes(await queue.getJobState(id));
  await waitFor(async () => (await Promise.all(jobs.map((job) => done(job.id as string)))).every(Boolean), 3_600_000);
  return Promise.all(
    jobs.map(async (job) => {
      const key = `${queue.opts.prefix}:${queue.name}:${job.id}`;
      const [processedOn, finishedOn, failed] = await client.hmget(key, 'processedOn', 'finishedOn', 'failedReason');
      if (failed) {
        throw new Error(`The tick failed: ${failed}`);
      }
      return { seconds: (Number(finishedOn) - Number(processedOn)) / 1000 };
    }),
  );
}

/** One send hour: the tick(s), then every digest built and sent; CPU of each process and lock waits meanwhile. */
async function sendHour(
  url: string,
  sql: Client,
  queue: Queue,
  redis: Redis,
  sinkPid: number | undefined,
  notifiers: ChildProcess[],
  label: string,
  at: Date,
  ticks: number,
): Promise<Phase> {
  notifiers.forEach((child) => resetPeakRss(child.pid));
  const digestsBefore = await count(sql, 'digests');
  const sentBefore = Number((await sql.query(`SELECT count(*) AS n FROM deliveries WHERE status = 'sent'`)).rows[0].n);
  const notifierBefore = notifiers.map((child) => cpuMs(child.pid));
  const postgresBefore = await backendCpuMs(sql);
  const sinkBefore = cpuMs(sinkPid);
  const redisBefore = commandCpuMs('redis-server');
  const started = performance.now();
  const peaks = notifiers.map(() => 0);
  const sampler = sampleActivity(url);
  const tickTimes = await tick(
    queue,
    redis,
    Array.from({ length: ticks }, () => at),
  );
  const lockSamples = sampler.endOfTicks();
  let statements: [string, number][];
  let stoppedAt: Spent | null = null;
  const sentNow = async (): Promise<number> =>
    Number((await sql.query(`SELECT count(*) AS n FROM deliveries WHERE status = 'sent'`)).rows[0].n) - sentBefore;
  try {
    await waitFor(async () => {
      notifiers.forEach((child, index) => (peaks[index] = Math.max(peaks[index], peakRssKb(child.pid) / 1024)));
      if ((performance.now() - started) / 1000 > hourSeconds) {
        stoppedAt = {
          seconds: (performance.now() - started) / 1000,
          sent: await sentNow(),
          notifierMs: notifiers.reduce((sum, child, index) => sum + cpuMs(child.pid) - notifierBefore[index], 0),
          postgresMs: sumCpuSince(await backendCpuMs(sql), postgresBefore),
          sinkMs: cpuMs(sinkPid) - sinkBefore,
          redisMs: commandCpuMs('redis-server') - redisBefore,
        };
        return true;
      }
      const { rows } = await sql.query<{ open: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM digests WHERE status = 'pending')
             OR EXISTS (SELECT 1 FROM deliveries WHERE status IN ('pending', 'sending')) AS open`,
      );
      return !rows[0].open;
    }, 3_600_000, 1000);
  } finally {
    statements = await sampler.stop();
  }
  if (stoppedAt) {
    // The rest of the hour is not measured: drained, and recorded so the next phase starts clean.
    await queue.pause();
    await waitFor(async () => (await queue.getActiveCount()) === 0, 600_000);
    await queue.clean(0, 0, 'wait');
    await queue.resume();
    await sql.query(`UPDATE digests SET status = 'empty', "builtAt" = now() WHERE status = 'pending'`);
    await sql.query(
      `UPDATE deliveries SET status = 'failed', "lastError" = 'bench: not measured' WHERE status IN ('pending', 'sending')`,
    );
  }
  const stopped = stoppedAt as Spent | null;
  const seconds = stopped?.seconds ?? (performance.now() - started) / 1000;
  const sent = stopped?.sent ?? (await sentNow());
  return {
    label,
    replicas: notifiers.length,
    ticks: tickTimes,
    digests: (await count(sql, 'digests')) - digestsBefore,
    sent,
    seconds,
    notifierMs:
      stopped?.notifierMs ??
      notifiers.reduce((sum, child, index) => sum + cpuMs(child.pid) - notifierBefore[index], 0),
    postgresMs: stopped?.postgresMs ?? sumCpuSince(await backendCpuMs(sql), postgresBefore),
    sinkMs: stopped?.sinkMs ?? cpuMs(sinkPid) - sinkBefore,
    redisMs: stopped?.redisMs ?? commandCpuMs('redis-server') - redisBefore,
    peakMb: peaks.map((peak, index) => Math.max(peak, peakRssKb(notifiers[index].pid) / 1024)),
    lockSamples,
    statements,
  };
}

/**
 * Ten times a second: whether a backend of the bench's database waits for a lock (until `endOfTicks`),
 * and what the busy backends run: a sampling profile of Postgres by statement, the most seen first.
 */
function sampleActivity(url: string): {
  endOfTicks(): { waiting: number; total: number };
  stop(): Promise<[string, number][]>;
} {
  const locks = { waiting: 0, total: 0 };
  let ticking = true;
  let sampling = true;
  const activity = new Map<string, number>();
  const done = (async () => {
    const watcher = new Client({ connectionString: url });
    await watcher.connect();
    try {
      while (sampling) {
        const { rows } = await watcher.query<{ statement: string; waiting: boolean }>(
          `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 70) AS statement, wait_event_type = 'Lock' AS waiting
           FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`,
        );
        if (ticking) {
          locks.total += 1;
          locks.waiting += rows.some((row) => row.waiting) ? 1 : 0;
        }
        for (const { statement } of rows) {
          activity.set(statement, (activity.get(statement) ?? 0) + 1);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await watcher.end();
    }
  })();
  return {
    endOfTicks: () => {
      ticking = false;
      return { ...locks };
    },
    stop: async () => {
      sampling = false;
      await done;
      return [...activity].sort((a, b) => b[1] - a[1]).slice(0, 6);
    },
  };
}

/** The queue's keys in Redis: MEMORY USAGE of a sample of job hashes times the jobs, plus the wait list. */
async function queueMemory(queue: Queue, client: Redis, prefix: string): Promise<{ jobs: number; bytes: number }> {
  const jobs = await queue.getWaitingCount();
  const ids = await client.lrange(`${prefix}:notify:wait`, 0, 199);
  let sampled = 0;
  for (const id of ids) {
    sampled += Number(await client.call('MEMORY', 'USAGE', `${prefix}:notify:${id}`));
  }
  const list = Number(await client.call('MEMORY', 'USAGE', `${prefix}:notify:wait`));
  return { jobs, bytes: (sampled / Math.max(1, ids.length)) * jobs + list };
}

async function count(sql: Client, table: 'digests'): Promise<number> {
  return Number((await sql.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
}

async function databaseSize(sql: Client): Promise<number> {
  return Number((await sql.query(`SELECT pg_database_size(current_database()) AS n`)).rows[0].n);
}

/** The largest tables with their indexes. */
async function tableSizes(sql: Client): Promise<{ name: string; bytes: number }[]> {
  const { rows } = await sql.query<{ name: string; bytes: string }>(
    `SELECT relname AS name, pg_total_relation_size(oid) AS bytes FROM pg_class
     WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY pg_total_relation_size(oid) DESC LIMIT 5`,
  );
  return rows.map((row) => ({ name: row.name, bytes: Number(row.bytes) }));
}

runBench(main);
