import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { DocumentFrequencies, termCounts, TfIdfFeaturizer, TOPIC_SLUGS, trainRelevanceModel } from '../libs/domain/src';
import { startPgBouncer } from '../test/support/pgbouncer';
import { deleteQueueKeys } from '../test/support/processes';
import { repositoryRoot } from '../test/support/stand-ins';
import { createTestDatabase } from '../test/support/test-database';
import { argument, onTeardown, runBench, startChild, stopChild, waitFor } from './bench-support';
import {
  BENCH_SECRET,
  backendCpuMs,
  bareNodemailer,
  commandCpuMs,
  cpuMs,
  cpuTotalMs,
  notifierFlags,
  peakRssKb,
  sampleEmail,
  seedPapers,
  Sink,
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
 * `--ranking`: `upvotes` (every subscriber ranked by upvotes, as before), `for-you` (every subscriber
 * with 5 liked papers and a trained model, ranked by it, with explore slots and why sentences), or
 * `both` (the default): the same subscribers, first by upvotes, then for-you, each by a fresh notifier
 * process on a fresh ledger, so the for-you run is compared with the upvotes run of the same bench run.
 *
 * `--max-seconds <s>` stops each fan-out after s seconds and counts the digests sent by then (the peak
 * memory of a fan-out to 100,000 in minutes, say); `--baseline-messages <n>` sends n baseline messages
 * instead of one per subscriber.
 *
 *   npm run bench:notifier -- [--subscribers 20000] [--pgbouncer 4] [--ranking both] [--max-seconds 300]
 */
const root = repositoryRoot(__dirname);
const subscribers = Number(argument('--subscribers') ?? 20_000);
const pgbouncerPool = argument('--pgbouncer');
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Messages each baseline sends (all subscribers by default; fewer for a long fan-out on a slow machine). */
const baselineMessages = Number(argument('--baseline-messages') ?? subscribers);
/** Stop a fan-out after this many seconds and count the digests sent by then (memory at a large N). */
const maxSeconds = argument('--max-seconds') === undefined ? null : Number(argument('--max-seconds'));
const rankingArgument = argument('--ranking') ?? 'both';
const rankings: Ranking[] =
  rankingArgument === 'both' ? ['upvotes', 'for-you'] : rankingArgument === 'for-you' ? ['for-you'] : ['upvotes'];
/** Distinct models (each from 5 liked and 3 disliked papers of the day) handed out to the subscribers in turn. */
const MODELS = 60;

type Ranking = 'upvotes' | 'for-you';

/** What one notifier fan-out measured. */
interface FanOut {
  ranking: Ranking;
  seconds: number;
  digests: number;
  papers: number;
  sent: number;
  kbPerEmail: number;
  peakKb: number;
  notifierMs: number;
  notifierCalls: number;
  sinkMs: number;
  postgresMs: number;
  redisMs: number;
}

async function main(): Promise<void> {
  // Undone in reverse order on every exit path: the notifier stops before its keys and database go.
  const database = await createTestDatabase('bench');
  onTeardown(() => database.drop());
  const pooler = pgbouncerPool === undefined ? null : await startPgBouncer({ poolSize: Number(pgbouncerPool) });
  if (pooler) {
    onTeardown(() => pooler.stop());
  }
  onTeardown(() => deleteQueueKeys(redisUrl, `paperboy-bench-${process.pid}`));
  const sink = await startSink();
  const sql = new Client({ connectionString: database.url });
  await sql.connect();
  onTeardown(() => sql.end());
  const sendAt = new Date();
  console.log(`Seeding 120 papers and ${subscribers} subscribers…`);
  await seed(sql, sendAt);

  const email = await sampleEmail(sql, { voteLinks: true });
  console.log(
    `Baselines: bare nodemailer pool, ${baselineMessages} digest emails of ${email.html.length + email.text.length} characters, composed by nodemailer…`,
  );
  // Warm-ups, unmeasured: the first thousand messages of a fresh process cost 1.3-1.4x the CPU of later
  // ones (JIT, heap growth), which the notifier, measured over thousands of digests, has long paid off
  // (docs/benchmarks.md, "Why the baseline was low").
  const warmUp = Math.min(1000, baselineMessages);
  await bareNodemailer(sink.port, email, warmUp, false, 0);
  await bareNodemailer(sink.port, email, warmUp, true, 0);
  const baselineCpu = process.cpuUsage();
  const baselineSinkCpu = cpuMs(sink.process.pid);
  const baselineCalls = systemCalls(process.pid);
  const baselineBefore = (await bareNodemailer(sink.port, email, baselineMessages, false, 0)).rate;
  const baselineSenderMs = cpuTotalMs(process.cpuUsage(baselineCpu));
  const baselineSinkMs = cpuMs(sink.process.pid) - baselineSinkCpu;
  const baselineSenderCalls = systemCalls(process.pid) - baselineCalls;
  const afterBaseline = await sink.count();
  console.log('…and the same email composed once, sent to each (SMTP only)…');
  const prebuiltCpu = process.cpuUsage();
  const prebuilt = (await bareNodemailer(sink.port, email, baselineMessages, true, 0)).rate;
  const prebuiltSenderMs = cpuTotalMs(process.cpuUsage(prebuiltCpu));
  const afterPrebuilt = await sink.count();

  const runs: FanOut[] = [];
  let before = afterPrebuilt;
  for (const ranking of rankings) {
    const run = await fanOut(ranking, { database, pooler, sink, sql, sendAt }, before);
    runs.push(run);
    before = await sink.count();
  }
  // The baseline again, the notifier stopped: the mean of both is what the run compares with, so that a
  // machine busier at one end of the run than at the other shows as two different figures.
  console.log('Baseline again, after the fan-out…');
  const baselineAfter = (await bareNodemailer(sink.port, email, baselineMessages, false, 0)).rate;
  const baseline = (baselineBefore + baselineAfter) / 2;
  const perMessage = (amount: number, messages: number, digits = 2): string => (amount / messages).toFixed(digits);
  console.log(`
Notifier fan-out, ${subscribers} subscribers, 120 papers, ${pooler ? `through PgBouncer (transaction mode, pool ${pgbouncerPool})` : 'direct to Postgres'} (${new Date().toISOString()})
  baseline (bare nodemailer pool, 5 connections, rendered emails of ${(afterBaseline.bytes / afterBaseline.messages / 1024).toFixed(1)} kB): ${baseline.toFixed(0)} messages/s (before ${baselineBefore.toFixed(0)}, after ${baselineAfter.toFixed(0)})
  SMTP only (the same pool sending one prebuilt message): ${prebuilt.toFixed(0)} messages/s, ${(prebuiltSenderMs / baselineMessages).toFixed(2)} ms CPU each
  CPU per message of the baseline: sender ${perMessage(baselineSenderMs, baselineMessages)} ms, sink ${perMessage(baselineSinkMs, baselineMessages)} ms; read and write system calls ${perMessage(baselineSenderCalls, baselineMessages, 1)}`);
  for (const run of runs) {
    const rate = run.digests / run.seconds;
    console.log(`
  Paperboy, ranked by ${run.ranking}: ${run.digests} digests (${run.papers} papers, ${run.sent} emails of ${run.kbPerEmail.toFixed(1)} kB) in ${run.seconds.toFixed(1)} s = ${rate.toFixed(0)} digests/s
    ratio to baseline: ${(rate / baseline).toFixed(2)} (to SMTP only: ${(rate / prebuilt).toFixed(2)})
    CPU per message: notifier ${perMessage(run.notifierMs, run.digests)} ms, sink ${perMessage(run.sinkMs, run.digests)} ms, Postgres ${perMessage(run.postgresMs, run.digests)} ms, Redis ${perMessage(run.redisMs, run.digests)} ms
    read and write system calls per message: notifier ${perMessage(run.notifierCalls, run.digests, 1)}
    notifier peak memory (VmHWM): ${(run.peakKb / 1024).toFixed(0)} MB`);
  }
  const upvotes = runs.find((run) => run.ranking === 'upvotes');
  const forYou = runs.find((run) => run.ranking === 'for-you');
  if (upvotes && forYou) {
    const rate = (run: FanOut): number => run.digests / run.seconds;
    console.log(`
  for-you against upvotes, same subscribers, same run: ${(rate(forYou) / rate(upvotes)).toFixed(2)} of the digests per second (goal ≥ 0.9); notifier CPU per digest ${(forYou.notifierMs / forYou.digests / (upvotes.notifierMs / upvotes.digests)).toFixed(2)}×, Postgres ${(forYou.postgresMs / forYou.digests / (upvotes.postgresMs / upvotes.digests)).toFixed(2)}×`);
  }
}

/**
 * One fan-out by a fresh notifier process: every subscriber ranked `ranking`, on an empty ledger (the
 * digests of an earlier run deleted and every subscription due again), from the tick to the last email.
 */
async function fanOut(
  ranking: Ranking,
  {
    database,
    pooler,
    sink,
    sql,
    sendAt,
  }: {
    database: { url: string };
    pooler: { through(url: string): string } | null;
    sink: Sink;
    sql: Client;
    sendAt: Date;
  },
  before: { messages: number; bytes: number },
): Promise<FanOut> {
  await sql.query(`DELETE FROM digests`);
  await sql.query(`UPDATE subscriptions SET ranking = $1, "planAt" = NULL`, [ranking]);
  await sql.query(`VACUUM ANALYZE`);
  console.log(`Paperboy: notifier process, ranked by ${ranking}, tick → claim → build → send…`);
  const notifier = await startChild(
    process.execPath,
    [...notifierFlags(), join(root, 'dist/apps/notifier/src/main.js')],
    {
      env: {
        ...process.env,
        DATABASE_URL: pooler ? pooler.through(database.url) : database.url,
        DATABASE_NAMED_STATEMENTS: pooler ? 'false' : 'true',
        REDIS_URL: redisUrl,
        QUEUE_PREFIX: `paperboy-bench-${process.pid}`,
        SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
        APP_SECRET: BENCH_SECRET,
        PUBLIC_URL: 'https://papers.example.org',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const queue = new Queue('notify', { connection: { url: redisUrl }, prefix: `paperboy-bench-${process.pid}` });
  try {
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
      if (maxSeconds !== null && performance.now() - started > maxSeconds * 1000) {
        return true;
      }
      const { rows } = await sql.query<{ open: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM digests WHERE status = 'pending')
             OR EXISTS (SELECT 1 FROM deliveries WHERE status IN ('pending', 'sending')) AS open`,
      );
      if (rows[0].open) {
        return false;
      }
      const claimed = await sql.query<{ total: number }>(`SELECT count(*)::int AS total FROM deliveries`);
      return claimed.rows[0].total >= subscribers * 0.5;
    }, 4 * 3_600_000);
    const seconds = (performance.now() - started) / 1000;
    peakKb = Math.max(peakKb, peakRssKb(notifier.pid));
    const notifierMs = cpuMs(notifier.pid) - notifierCpuBefore;
    const notifierCalls = systemCalls(notifier.pid) - notifierCallsBefore;
    const sinkMs = cpuMs(sink.process.pid) - sinkCpuBefore;
    const postgresMs = sumCpuSince(await backendCpuMs(sql), postgresCpuBefore);
    const redisMs = commandCpuMs('redis-server') - redisCpuBefore;
    const { rows } = await sql.query<{ digests: number; papers: number }>(
      `SELECT count(*)::int AS digests, coalesce(sum("paperCount"), 0)::int AS papers FROM digests WHERE status = 'sent'`,
    );
    const after = await sink.count();
    const sent = after.messages - before.messages;
    return {
      ranking,
      seconds,
      digests: rows[0].digests,
      papers: rows[0].papers,
      sent,
      kbPerEmail: (after.bytes - before.bytes) / sent / 1024,
      peakKb,
      notifierMs,
      notifierCalls,
      sinkMs,
      postgresMs,
      redisMs,
    };
  } finally {
    await queue.close();
    await stopChild(notifier);
  }
}

async function seed(sql: Client, sendAt: Date): Promise<void> {
  await seedPapers(sql, (index) => new Date(sendAt.getTime() - (index + 1) * 60_000));
  await seedRelevance(sql);
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
  // What a for-you digest reads of each subscriber: 5 liked papers (up-votes) and a model trained from
  // them, one of MODELS in turn. The upvotes run has the same rows and does not read them.
  await sql.query(
    `INSERT INTO paper_votes ("subscriptionId", "paperId", vote, source, "createdAt", "updatedAt")
     SELECT s.id, l."paperId", 'up', 'digest', now(), now()
       FROM (SELECT id, row_number() OVER (ORDER BY id) % $1 AS k FROM subscriptions) s
       JOIN bench_liked l ON l.k = s.k`,
    [MODELS],
  );
  await sql.query(
    `INSERT INTO subscriber_models ("subscriptionId", terms, weights, liked, disliked, "trainedAt")
     SELECT s.id, m.terms, m.weights, m.liked, m.disliked, now()
       FROM (SELECT id, row_number() OVER (ORDER BY id) % $1 AS k FROM subscriptions) s
       JOIN bench_models m ON m.k = s.k`,
    [MODELS],
  );
}

/**
 * The day's papers' features as the classifier stores them (term counts and document frequencies), and
 * MODELS models, each trained as the classifier's trainer trains one: 5 liked papers sharing a topic, the
 * 3 most upvoted others disliked, the rest as background. Kept in two scratch tables the seeding joins.
 */
async function seedRelevance(sql: Client): Promise<void> {
  const { rows: papers } = await sql.query<{
    id: string;
    title: string;
    abstract: string;
    authors: string[];
    upvotes: number;
    topics: string[];
  }>(
    `SELECT p.id, p.title, p.abstract, p.authors, p.upvotes, coalesce(array_agg(t.topic) FILTER (WHERE t.topic IS NOT NULL), '{}') AS topics
       FROM papers p LEFT JOIN paper_topics t ON t."paperId" = p.id GROUP BY p.id ORDER BY p."listedAt" DESC`,
  );
  const counts = papers.map((paper) => termCounts(paper));
  await sql.query(
    `INSERT INTO paper_features ("paperId", terms, counts)
     SELECT "paperId", terms, counts FROM json_to_recordset($1::json) AS r("paperId" uuid, terms text[], counts int4[])`,
    [
      JSON.stringify(
        papers.map((paper, i) => ({
          paperId: paper.id,
          terms: [...counts[i].keys()],
          counts: [...counts[i].values()],
        })),
      ),
    ],
  );
  await sql.query(
    `INSERT INTO term_frequencies (term, documents)
     SELECT term, count(*) FROM (SELECT unnest(terms) AS term FROM paper_features UNION ALL SELECT '' FROM paper_features) t
     GROUP BY term`,
  );
  const featurizer = new TfIdfFeaturizer(DocumentFrequencies.of(counts));
  const vectors = counts.map((paperCounts) => featurizer.vectorize(paperCounts));
  await sql.query(`CREATE TABLE bench_liked (k int, "paperId" uuid)`);
  await sql.query(`CREATE TABLE bench_models (k int, terms text[], weights real[], liked int, disliked int)`);
  for (let k = 0; k < MODELS; k++) {
    const topic = TOPIC_SLUGS[k % TOPIC_SLUGS.length];
    const inTopic = papers.map((paper, i) => i).filter((i) => papers[i].topics.includes(topic));
    const pool = inTopic.length >= 5 ? inTopic : papers.map((_, i) => i);
    const liked = Array.from({ length: 5 }, (_, j) => pool[(k * 7 + j * 3) % pool.length]).filter(
      (i, j, all) => all.indexOf(i) === j,
    );
    const disliked = papers
      .map((_, i) => i)
      .filter((i) => !liked.includes(i))
      .sort((a, b) => papers[b].upvotes - papers[a].upvotes)
      .slice(0, 3);
    const model = trainRelevanceModel({
      liked: liked.map((i) => vectors[i]),
      disliked: disliked.map((i) => vectors[i]),
      background: vectors.filter((_, i) => !liked.includes(i) && !disliked.includes(i)),
    })!;
    await sql.query(`INSERT INTO bench_models VALUES ($1, $2, $3, $4, $5)`, [
      k,
      model.terms,
      Array.from(model.weights),
      model.liked,
      model.disliked,
    ]);
    for (const i of liked) {
      await sql.query(`INSERT INTO bench_liked VALUES ($1, $2)`, [k, papers[i].id]);
    }
  }
}

runBench(main);
