import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { TOPIC_SLUGS } from '../libs/domain/src';
import { startPgBouncer } from '../test/support/pgbouncer';
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
  sampleEmail,
  seedPapers,
  startSink,
  sumCpuSince,
  systemCalls,
} from './notifier-support';

/**
 * Notifier fan-out: one day of papers (the demo day, 120 papers) to N subscribers with varied filters,
 * delivered by the real notifier process into a local SMTP sink. The baseline, measured in the same
 * run against the same sink (before the fan-out and after it; the mean counts), is a bare nodemailer pool
 * sending already-rendered digest emails of the same size (a typical digest's text and HTML): the limit of
 * the SMTP path. A second figure sends one
 * message composed once, which leaves nodemailer nothing but SMTP to do. Prints digests per second, the
 * ratios, the CPU and system calls per message of each process, and the notifier's peak memory.
 *
 * With `--pgbouncer <pool size>` the notifier reaches Postgres through a PgBouncer of the bench's own in
 * transaction mode, with DATABASE_NAMED_STATEMENTS=false (docs/operations.md, "Behind PgBouncer").
 *
 *   npm run bench:notifier -- [--subscribers 20000] [--pgbouncer 4]
 */
const root = repositoryRoot(__dirname);
const subscribers = Number(argument('--subscribers') ?? 20_000);
const pgbouncerPool = argument('--pgbouncer');
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function main(): Promise<void> {
  // Undone in reverse order on every exit path: the notifier stops before its keys and database go.
  const database = await createTestDatabase('bench');
  onTeardown(() => database.drop());
  const pooler = pgbouncerPool === undefined ? null : await startPgBouncer({ poolSize: Number(pgbouncerPool) });
  if (pooler) {
    onTeardown(() => pooler.stop());
  }
  const prefix = `paperboy-bench-${process.pid}`;
  onTeardown(() => deleteQueueKeys(redisUrl, prefix));
  const sink = await startSink();
  const sql = new Client({ connectionString: database.url });
  await sql.connect();
  onTeardown(() => sql.end());
  const sendAt = new Date();
  console.log(`Seeding 120 papers and ${subscribers} subscribers…`);
  await seed(sql, sendAt);

  const email = await sampleEmail(sql);
  console.log(
    `Baselines: bare nodemailer pool, ${subscribers} digest emails of ${email.html.length + email.text.length} characters, composed by nodemailer…`,
  );
  // Each baseline sends a warm-up of up to 1,000 messages first (bareNodemailer), counted in the calls.
  const warmUp = Math.min(1000, subscribers);
  const baselineCalls = systemCalls(process.pid);
  const before = await bareNodemailer(sink.port, email, subscribers, false, warmUp, sink.process.pid);
  const baselineSenderCalls = systemCalls(process.pid) - baselineCalls;
  const afterBaseline = await sink.count();
  console.log('…and the same email composed once, sent to each (SMTP only)…');
  const prebuilt = await bareNodemailer(sink.port, email, subscribers, true, warmUp, sink.process.pid);
  const afterPrebuilt = await sink.count();

  console.log('Paperboy: notifier process, tick → claim → build → send…');
  const notifier = await startChild(
    process.execPath,
    [...notifierFlags(), join(root, 'dist/apps/notifier/src/main.js')],
    {
      env: {
        ...process.env,
        DATABASE_URL: pooler ? pooler.through(database.url) : database.url,
        DATABASE_NAMED_STATEMENTS: pooler ? 'false' : 'true',
        REDIS_URL: redisUrl,
        QUEUE_PREFIX: prefix,
        SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
        APP_SECRET: BENCH_SECRET,
        PUBLIC_URL: 'https://papers.example.org',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const queue = new Queue('notify', { connection: { url: redisUrl }, prefix });
  onTeardown(() => queue.close());
  await waitFor(async () => (await queue.getWorkersCount()) > 0, 60_000);
  const started = performance.now();
  const notifierCpuBefore = cpuMs(notifier.pid);
  const notifierCallsBefore = systemCalls(notifier.pid);
  const sinkCpuBefore = cpuMs(sink.process.pid);
  const postgresCpuBefore = await backendCpuMs(sql);
  const redisCpuBefore = commandCpuMs('redis-server');
  await queue.add('DigestQueueAll', { now: new Date(sendAt.getTime() + 3600_000).toISOString() });
  let peakKb = 0;
  // Polled five times a second: two lookups of the unfinished-work partial indexes, so the poll costs
  // Postgres next to nothing however many digests there are. The full count runs once nothing is open.
  await waitFor(async () => {
    peakKb = Math.max(peakKb, peakRssKb(notifier.pid));
    const { rows } = await sql.query<{ open: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM digests WHERE status = 'pending')
           OR EXISTS (SELECT 1 FROM deliveries WHERE status IN ('pending', 'sending')) AS open`,
    );
    if (rows[0].open) {
      return false;
    }
    const claimed = await sql.query<{ total: number }>(`SELECT count(*)::int AS total FROM deliveries`);
    return claimed.rows[0].total >= subscribers * 0.5;
  }, 3_600_000);
  const seconds = (performance.now() - started) / 1000;
  peakKb = Math.max(peakKb, peakRssKb(notifier.pid));
  const notifierMs = cpuMs(notifier.pid) - notifierCpuBefore;
  const notifierCalls = systemCalls(notifier.pid) - notifierCallsBefore;
  const sinkMs = cpuMs(sink.process.pid) - sinkCpuBefore;
  const postgresMs = sumCpuSince(await backendCpuMs(sql), postgresCpuBefore);
  const redisMs = commandCpuMs('redis-server') - redisCpuBefore;
  await queue.close();
  const { rows } = await sql.query<{ digests: number; papers: number }>(
    `SELECT count(*)::int AS digests, coalesce(sum("paperCount"), 0)::int AS papers FROM digests WHERE status = 'sent'`,
  );
  const afterRun = await sink.count();
  const sent = afterRun.messages - afterPrebuilt.messages;
  const rate = rows[0].digests / seconds;
  const perMessage = (calls: number, messages: number): string => (calls / messages).toFixed(1);
  // The baseline again, the notifier stopped: the mean of both is what the run compares with, so that a
  // machine busier at one end of the run than at the other shows as two different figures.
  console.log('Baseline again, after the fan-out…');
  await stopChild(notifier);
  const after = await bareNodemailer(sink.port, email, subscribers, false, warmUp, sink.process.pid);
  const baseline = (before.rate + after.rate) / 2;
  console.log(`
Notifier fan-out, ${subscribers} subscribers, 120 papers, ${pooler ? `through PgBouncer (transaction mode, pool ${pgbouncerPool})` : 'direct to Postgres'} (${new Date().toISOString()})
  baseline (bare nodemailer pool, 5 connections, rendered emails of ${(afterBaseline.bytes / afterBaseline.messages / 1024).toFixed(1)} kB): ${baseline.toFixed(0)} messages/s (before ${before.rate.toFixed(0)}, after ${after.rate.toFixed(0)})
  SMTP only (the same pool sending one prebuilt message): ${prebuilt.rate.toFixed(0)} messages/s, ${prebuilt.senderMsEach.toFixed(2)} ms CPU each, sink ${prebuilt.sinkMsEach.toFixed(2)} ms
  Paperboy: ${rows[0].digests} digests (${rows[0].papers} papers, ${sent} emails of ${((afterRun.bytes - afterPrebuilt.bytes) / sent / 1024).toFixed(1)} kB) in ${seconds.toFixed(1)} s = ${rate.toFixed(0)} digests/s
  ratio to baseline: ${(rate / baseline).toFixed(2)} (to SMTP only: ${(rate / prebuilt.rate).toFixed(2)})
  CPU per message: baseline sender ${before.senderMsEach.toFixed(2)} ms, sink ${before.sinkMsEach.toFixed(2)} ms; notifier ${(notifierMs / rows[0].digests).toFixed(2)} ms, sink ${(sinkMs / rows[0].digests).toFixed(2)} ms, Postgres ${(postgresMs / rows[0].digests).toFixed(2)} ms, Redis ${(redisMs / rows[0].digests).toFixed(2)} ms
  read and write system calls per message: baseline sender ${perMessage(baselineSenderCalls, subscribers + warmUp)}, notifier ${perMessage(notifierCalls, rows[0].digests)}
  notifier peak memory (VmHWM): ${(peakKb / 1024).toFixed(0)} MB`);
}

async function seed(sql: Client, sendAt: Date): Promise<void> {
  await seedPapers(sql, (index) => new Date(sendAt.getTime() - (index + 1) * 60_000));
  // Varied filters: one to three topics for most, keywords for some, everything (capped) for the rest.
  await sql.query(
    `INSERT INTO subscriptions (email, status, topics, keywords, frequency, timezone, "sendHour", "maxPapers", "activatedAt")
     SELECT 'reader' || i || '@bench.example', 'active',
       CASE WHEN i % 5 = 0 THEN '{}'::text[]
            ELSE ARRAY(SELECT t FROM unnest($1::text[]) WITH ORDINALITY AS u(t, n) WHERE (n + i) % 7 = 0 LIMIT 1 + i % 3) END,
       CASE WHEN i % 4 = 0 THEN ARRAY['quantization', 'agent'] WHEN i % 9 = 0 THEN ARRAY['"language model"'] ELSE '{}'::text[] END,
       'daily', 'UTC', 0, 10 + i % 11, now() - interval '30 days'
     FROM generate_series(1, $2) AS i`,
    [TOPIC_SLUGS, subscribers],
  );
}

runBench(main);
