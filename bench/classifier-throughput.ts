import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { jobOptionsFor } from '@libs/queues/job-options';
import { classifyBatches, JobName } from '@libs/queues/queue-contract';
import { from as copyFrom } from 'pg-copy-streams';
import { deleteQueueKeys } from '../test/support/processes';
import { repositoryRoot } from '../test/support/stand-ins';
import { createTestDatabase } from '../test/support/test-database';
import { argument, onTeardown, runBench, startChild, waitFor } from './bench-support';

/**
 * Classifier throughput: N synthetic listings (about 30 % duplicates across sources and versions, 10 %
 * without identifiers) classified and deduplicated by the real classifier process through the real
 * queue and database. The baseline, in the same run, is a bare Postgres COPY of the same rows into a
 * copy of the listings table: the limit of merely storing them.
 *
 *   npm run bench:classifier -- [--listings 100000]
 */
const root = repositoryRoot(__dirname);
const count = Number(argument('--listings') ?? 100_000);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Listings stored by one fetch, as a large page or catch-up of a source would store them. */
const FETCHED_PAGE = 500;

const WORDS = [
  'adaptive',
  'sparse',
  'efficient',
  'robust',
  'scalable',
  'latent',
  'neural',
  'contrastive',
  'causal',
  'hierarchical',
];
const SUBJECTS = [
  'chain-of-thought reasoning in large language models',
  'diffusion models for text-to-image generation',
  'quantization of vision transformers',
  'retrieval-augmented generation',
  'reinforcement learning from human feedback',
  'speech recognition with self-supervised encoders',
  'graph neural networks for molecules',
  'autonomous driving with multimodal sensors',
  'code generation benchmarks',
  'scaling laws for data mixtures',
];

interface Row {
  sourceId: string;
  externalId: string;
  arxivId: string | null;
  arxivVersion: number | null;
  title: string;
  abstract: string;
  authors: string[];
}

/** Deterministic synthetic listings: 60 % unique arXiv papers, 30 % their duplicates, 10 % without ids. */
function listings(n: number): Row[] {
  const rows: Row[] = [];
  const unique = Math.round(n * 0.6);
  for (let i = 0; i < n; i += 1) {
    const kind = i < unique ? 'unique' : i < unique + Math.round(n * 0.3) ? 'duplicate' : 'no-id';
    // Duplicates point at an earlier paper; half the listings without ids are that paper on a blog.
    const paper = kind === 'duplicate' || (kind === 'no-id' && i % 2 === 0) ? i % unique : i;
    // A real month (01-12): the classifier rejects ids of months that do not exist.
    const id = `25${String(1 + (paper % 12)).padStart(2, '0')}.${String(paper).padStart(5, '0').slice(-5)}${paper >= 100000 ? `${paper}` : ''}`;
    const subject = SUBJECTS[paper % SUBJECTS.length];
    const title = `${WORDS[paper % WORDS.length]} ${WORDS[(paper >> 3) % WORDS.length]} ${subject} ${paper}`;
    const abstract = `We study ${subject}. ${WORDS.map((w, k) => `${w} method ${k} improves results on benchmark ${paper % 97}.`).join(' ')} Code is available.`;
    const authors = [`Author ${paper % 1000}`, `Coauthor ${paper % 777}`, `Third ${paper % 333}`];
    rows.push(
      kind === 'unique'
        ? { sourceId: 'hf', externalId: id, arxivId: id, arxivVersion: 1, title, abstract, authors }
        : kind === 'duplicate'
          ? {
              sourceId: i % 2 === 0 ? 'arxiv' : 'hf-v2',
              externalId: `${id}v2-${i}`,
              arxivId: id,
              arxivVersion: 2,
              title,
              abstract,
              authors,
            }
          : { sourceId: 'blog', externalId: `post-${i}`, arxivId: null, arxivVersion: null, title, abstract, authors },
    );
  }
  return rows;
}

const tsv = (value: string | number | null): string =>
  value === null ? '\\N' : String(value).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
const pgArray = (items: string[]): string =>
  `{${items.map((item) => `"${item.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;

async function copyRows(sql: Client, table: string, rows: Row[], listedAt: string): Promise<void> {
  const columns = '"sourceId", "externalId", "arxivId", "arxivVersion", "title", "abstract", "authors", "listedAt"';
  const stream = sql.query(copyFrom(`COPY ${table} (${columns}) FROM STDIN`));
  const lines = function* (): Generator<string> {
    for (const row of rows) {
      yield `${[row.sourceId, row.externalId, row.arxivId, row.arxivVersion, row.title, row.abstract, pgArray(row.authors), listedAt].map(tsv).join('\t')}\n`;
    }
  };
  await pipeline(Readable.from(lines()), stream);
}

async function main(): Promise<void> {
  // Undone in reverse order on every exit path: the classifier stops before its keys and database go.
  const database = await createTestDatabase('bench_classifier');
  onTeardown(() => database.drop());
  const prefix = `paperboy-bench-classifier-${process.pid}`;
  onTeardown(() => deleteQueueKeys(redisUrl, prefix));
  const sql = new Client({ connectionString: database.url });
  await sql.connect();
  onTeardown(() => sql.end());
  for (const source of ['hf', 'arxiv', 'hf-v2', 'blog']) {
    await sql.query(
      `INSERT INTO sources (id, kind, url, schedule, timezone) VALUES ($1, 'rss', 'http://x', '0 6 * * *', 'UTC')`,
      [source],
    );
  }
  const rows = listings(count);
  const listedAt = new Date().toISOString();

  // The baseline is measured before and after the classifier's run, as the machine's load drifts meanwhile.
  const copyBaseline = async (table: string): Promise<number> => {
    await sql.query(`CREATE TABLE ${table} (LIKE listings INCLUDING ALL)`);
    const copyStarted = performance.now();
    await copyRows(sql, table, rows, listedAt);
    return count / ((performance.now() - copyStarted) / 1000);
  };
  console.log(`Baseline: COPY of ${count} listings into a copy of the listings table…`);
  const copyBefore = await copyBaseline('listings_copy_before');

  console.log('Storing the listings as the fetcher would, then classifying them through the queue…');
  await copyRows(sql, 'listings', rows, listedAt);
  // In the order they were stored, so each page holds listings stored together.
  const ids = (await sql.query<{ id: string }>('SELECT id FROM listings ORDER BY ctid')).rows.map((row) => row.id);
  await startChild(process.execPath, [join(root, 'dist/apps/classifier/src/main.js')], {
    env: { ...process.env, DATABASE_URL: database.url, REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const queue = new Queue('classify', { connection: { url: redisUrl }, prefix });
  onTeardown(() => queue.close());
  await waitFor(async () => (await queue.getWorkersCount()) > 0, 60_000);
  const started = performance.now();
  // As the fetcher does: each stored page of listings becomes batch jobs of the queue contract.
  for (let i = 0; i < ids.length; i += FETCHED_PAGE) {
    await queue.addBulk(
      classifyBatches(ids.slice(i, i + FETCHED_PAGE)).map((data) => ({
        name: JobName.ListingsClassify,
        data,
        opts: jobOptionsFor(JobName.ListingsClassify, data),
      })),
    );
  }
  // Done when no listing is left unclassified. Counting them costs Postgres tens of milliseconds a time (the
  // whole partial index and its heap pages), which polling five times a second took from the classifier under
  // test: the queue's counts in Redis say when to count.
  await waitFor(
    async () =>
      Object.values(await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized')).every((n) => n === 0),
    6 * 3600_000,
    50,
  );
  await waitFor(async () => {
    const { rows: left } = await sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM listings WHERE "classifiedAt" IS NULL`,
    );
    return left[0].n === 0;
  }, 6 * 3600_000);
  const seconds = (performance.now() - started) / 1000;
  await queue.close();
  const papers = (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM papers`)).rows[0].n;
  const rejected = (
    await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM listings WHERE "rejectedReason" IS NOT NULL`)
  ).rows[0].n;
  const copyAfter = await copyBaseline('listings_copy_after');
  const copyRate = (copyBefore + copyAfter) / 2;
  const rate = count / seconds;
  console.log(`
Classifier throughput, ${count} listings (${new Date().toISOString()})
  baseline (COPY into a copy of the listings table): ${copyRate.toFixed(0)} listings/s (before ${copyBefore.toFixed(0)}, after ${copyAfter.toFixed(0)})
  Paperboy: ${count} listings → ${papers} papers (${rejected} rejected) in ${seconds.toFixed(1)} s = ${rate.toFixed(0)} listings/s
  ratio to COPY: ${(rate / copyRate).toFixed(3)}`);
}

runBench(main);
