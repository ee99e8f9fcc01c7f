import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Settings } from '../libs/config/src/settings';
import { createDataSource } from '../libs/database/src/data-source';
import { DigestEntity } from '../libs/database/src/entities';
import { DigestRepository } from '../libs/database/src/repositories/digest.repository';
import { LedgerRetentionRepository } from '../libs/database/src/repositories/ledger-retention.repository';
import { createTestDatabase, TestDatabase } from '../test/support/test-database';
import { argument, onTeardown, runBench } from './bench-support';

/**
 * The ledger over years: what a year of history costs the tick's claim and the digest build. Two
 * databases with the same subscribers and the same day of papers; one also holds `--days` daily digests
 * per subscriber, each with `--papers` papers and a sent delivery (generated in Postgres with INSERT …
 * SELECT over generate_series, the server-side equivalent of COPY). The same claims and builds run on
 * both, in alternating blocks so that the machine's load falls on both alike; the empty ledger is the
 * baseline. Then the retention's prune of the oldest `--prune-days` days is timed on the full one.
 *
 *   npm run bench:ledger -- [--subscribers 5000] [--days 365] [--papers 3] [--digests 2000] [--prune-days 30]
 */
const subscribers = Number(argument('--subscribers') ?? 5000);
const days = Number(argument('--days') ?? 365);
const papersPerDigest = Number(argument('--papers') ?? 3);
const digests = Math.min(Number(argument('--digests') ?? 2000), subscribers);
const pruneDays = Number(argument('--prune-days') ?? 30);
const BLOCK = 250;
const DAY = 24 * 3600_000;
const now = new Date(Date.UTC(2026, 10, 18, 8, 0, 0));

interface Ledger {
  name: string;
  database: TestDatabase;
  sql: Client;
  dataSource: DataSource;
  digests: DigestRepository;
  claimMs: number;
  buildMs: number;
  built: number;
}

async function seed(sql: Client): Promise<string[]> {
  const { rows } = await sql.query<{ id: string }>(
    `INSERT INTO papers ("arxivId", title, abstract, authors, upvotes, url, "listedAt", "readyAt")
     SELECT '2611.' || lpad(i::text, 5, '0'), 'Language model paper ' || i, 'About language models, part ' || i || '.',
            ARRAY['A. Author'], i, 'https://arxiv.org/abs/2611.' || lpad(i::text, 5, '0'), $1::timestamptz - interval '6 hours', $1
     FROM generate_series(1, 150) AS i RETURNING id`,
    [now],
  );
  await sql.query(
    `INSERT INTO subscriptions (email, status, topics, frequency, timezone, "sendHour", "maxPapers", "activatedAt")
     SELECT 'reader-' || i || '@example.org', 'active', ARRAY['llm'], 'daily', 'UTC', 8, 10, $1::timestamptz - interval '2 years'
     FROM generate_series(1, $2) AS i`,
    [now, subscribers],
  );
  return rows.map((row) => row.id);
}

/**
 * A year of sent daily digests for every subscriber, with their papers (old ones) and deliveries. Loaded
 * as a restore would be: the ledger tables' constraints (keys, uniques, foreign keys) and indexes are
 * dropped first and made again after, from sorted input rather than row by row: at 100,000 subscribers
 * random-uuid keys maintained per row made the load hours long here.
 */
async function fillHistory(sql: Client): Promise<void> {
  const ledger = `('digests'::regclass, 'digest_papers'::regclass, 'deliveries'::regclass)`;
  const { rows: indexes } = await sql.query<{ name: string; definition: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
     FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.contype IN ('p', 'u')
     WHERE i.indrelid IN ${ledger} AND c.oid IS NULL`,
  );
  // Foreign keys first (to and from the ledger), then uniques, then keys; made again in the reverse order.
  const { rows: constraints } = await sql.query<{ table: string; name: string; definition: string }>(
    `SELECT conrelid::regclass::text AS table, conname AS name, pg_get_constraintdef(oid) AS definition
     FROM pg_constraint WHERE contype IN ('p', 'u', 'f') AND (conrelid IN ${ledger} OR confrelid IN ${ledger})
     ORDER BY CASE contype WHEN 'f' THEN 0 WHEN 'u' THEN 1 ELSE 2 END`,
  );
  for (const { table, name } of constraints) {
    await sql.query(`ALTER TABLE ${table} DROP CONSTRAINT "${name}"`);
  }
  for (const { name } of indexes) {
    await sql.query(`DROP INDEX ${name}`);
  }
  await sql.query(
    `INSERT INTO digests ("subscriptionId", "periodKey", "dueAt", "plannedFor", status, "paperCount", "builtAt", "createdAt")
     SELECT s.id, 'day-' || d, $1::timestamptz - d * interval '1 day', $1::timestamptz - d * interval '1 day', 'sent', $3,
            $1::timestamptz - d * interval '1 day', $1::timestamptz - d * interval '1 day'
     FROM subscriptions s, generate_series(1, $2) AS d`,
    [now, days, papersPerDigest],
  );
  await sql.query(
    `INSERT INTO digest_papers ("digestId", "paperId", "subscriptionId", rank)
     SELECT g.id, gen_random_uuid(), g."subscriptionId", r FROM digests g, generate_series(1, $1) AS r`,
    [papersPerDigest],
  );
  await sql.query(
    `INSERT INTO deliveries ("digestId", channel, status, attempts, "providerResponse", "sentAt", "createdAt", "updatedAt")
     SELECT id, 'email', 'sent', 1, '250 2.0.0 Ok: queued', "builtAt", "builtAt", "builtAt" FROM digests`,
  );
  await sql.query(`SET maintenance_work_mem = '512MB'`);
  for (const { table, name, definition } of [...constraints].reverse()) {
    await sql.query(`ALTER TABLE ${table} ADD CONSTRAINT "${name}" ${definition}`);
  }
  for (const { definition } of indexes) {
    await sql.query(definition);
  }
  await sql.query('VACUUM ANALYZE');
}

async function open(name: string, fill: boolean, settings: Settings): Promise<{ ledger: Ledger; paperIds: string[] }> {
  const database = await createTestDatabase(`ledger_${name}`);
  onTeardown(() => database.drop());
  const sql = new Client({ connectionString: database.url });
  await sql.connect();
  onTeardown(() => sql.end());
  const paperIds = await seed(sql);
  if (fill) {
    const started = Date.now();
    await fillHistory(sql);
    console.log(`  history generated in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } else {
    await sql.query('VACUUM ANALYZE');
  }
  const dataSource = createDataSource(database.url);
  await dataSource.initialize();
  onTeardown(() => dataSource.destroy());
  const digests = new DigestRepository(dataSource.getRepository(DigestEntity), settings);
  return { ledger: { name, database, sql, dataSource, digests, claimMs: 0, buildMs: 0, built: 0 }, paperIds };
}

/** Claims today's digests of a block of subscribers, then builds each (4 at a time, as a notifier would). */
async function runBlock(ledger: Ledger, subscriptionIds: string[], paperIds: string[]): Promise<void> {
  const claimStart = performance.now();
  const ids = await ledger.digests.claim(
    subscriptionIds.map((subscriptionId) => ({ subscriptionId, periodKey: 'today', dueAt: now, plannedFor: now })),
  );
  ledger.claimMs += performance.now() - claimStart;
  const rows = await ledger.sql.query<{ id: string; subscriptionId: string }>(
    `SELECT id, "subscriptionId" FROM digests WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  const queue = [...rows.rows];
  const buildStart = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let digest = queue.shift(); digest; digest = queue.shift()) {
        // Each reader gets a different ranking of the day's papers, as filters and votes give.
        const offset = Number.parseInt(digest.subscriptionId.slice(0, 4), 16) % paperIds.length;
        const ranked = [...paperIds.slice(offset), ...paperIds.slice(0, offset)].slice(0, 30);
        await ledger.digests.build(digest, { paperIds: ranked, maxPapers: 10, channels: ['email'], claim: false }, now);
        ledger.built += 1;
      }
    }),
  );
  ledger.buildMs += performance.now() - buildStart;
}

async function sizeOf(sql: Client): Promise<string> {
  await sql.query('ANALYZE digests, digest_papers, deliveries');
  const { rows } = await sql.query<{ relname: string; rows: string; bytes: string }>(
    `SELECT relname, n_live_tup::text AS rows, pg_size_pretty(pg_total_relation_size(relid)) AS bytes
     FROM pg_stat_user_tables WHERE relname IN ('digests', 'digest_papers', 'deliveries') ORDER BY relname`,
  );
  return rows.map((row) => `${row.relname} ${Number(row.rows).toLocaleString('en')} rows, ${row.bytes}`).join('; ');
}

async function main(): Promise<void> {
  const settings = new Settings();
  console.log(`Seeding ${subscribers} subscribers and 150 papers twice; ${days} days of history in one…`);
  const { ledger: empty, paperIds: emptyPapers } = await open('empty', false, settings);
  const { ledger: year, paperIds: yearPapers } = await open('year', true, settings);
  // The same subscribers' ids differ between the databases: each block takes the next ones of each.
  const idsOf = async (ledger: Ledger): Promise<string[]> =>
    (await ledger.sql.query<{ id: string }>(`SELECT id FROM subscriptions ORDER BY email LIMIT $1`, [digests])).rows.map(
      (row) => row.id,
    );
  const emptyIds = await idsOf(empty);
  const yearIds = await idsOf(year);
  // A warm-up block each (connections, plans, caches), not counted.
  const warm = (ids: string[]): string[] => ids.slice(0, 50);
  await runBlock(empty, warm(emptyIds), emptyPapers);
  await runBlock(year, warm(yearIds), yearPapers);
  for (const ledger of [empty, year]) {
    ledger.claimMs = 0;
    ledger.buildMs = 0;
    ledger.built = 0;
  }
  for (let start = 50; start < digests; start += BLOCK) {
    const order = (start / BLOCK) % 2 === 0 ? [empty, year] : [year, empty];
    for (const ledger of order) {
      const ids = ledger === empty ? emptyIds : yearIds;
      await runBlock(ledger, ids.slice(start, start + BLOCK), ledger === empty ? emptyPapers : yearPapers);
    }
  }
  console.log(`\nLedger sizes: empty: ${await sizeOf(empty.sql)}\n              year:  ${await sizeOf(year.sql)}`);
  const perDigest = (ledger: Ledger, ms: number): number => ms / ledger.built;
  console.log(`\n| per digest (${empty.built} digests each) | empty ledger | ${days} days of history | ratio |`);
  console.log('|---|---|---|---|');
  for (const [label, pick] of [
    ['claim (the tick)', (l: Ledger) => l.claimMs],
    ['build (4 at a time)', (l: Ledger) => l.buildMs],
  ] as const) {
    const base = perDigest(empty, pick(empty));
    const full = perDigest(year, pick(year));
    console.log(`| ${label} | ${base.toFixed(3)} ms | ${full.toFixed(3)} ms | **${(full / base).toFixed(2)}** |`);
  }

  const retention = new LedgerRetentionRepository(year.dataSource);
  const cutoff = new Date(now.getTime() - (days - pruneDays) * DAY);
  const pruneStart = performance.now();
  let pruned = 0;
  for (let batch = await retention.pruneDigests(cutoff, 500); ; batch = await retention.pruneDigests(cutoff, 500)) {
    pruned += batch.digests + batch.digestPapers + batch.deliveries;
    if (batch.digests < 500) {
      break;
    }
  }
  const seconds = (performance.now() - pruneStart) / 1000;
  console.log(
    `\nPruning the oldest ${pruneDays} days (batches of 500 digests): ${pruned.toLocaleString('en')} rows in ` +
      `${seconds.toFixed(1)} s, ${Math.round(pruned / seconds).toLocaleString('en')} rows/s`,
  );
}

runBench(main);
