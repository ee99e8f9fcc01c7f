import type { IncomingMessage, ServerResponse } from 'node:http';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Job, Worker } from 'bullmq';
import { Client } from 'pg';
import { EmbeddingRepository, ListingRepository, PaperRepository, SourceRepository } from '@libs/database';
import { embeddingText, ParsedListing } from '@libs/domain';
import { JobName, JobProducer, QueueName } from '@libs/queues';
import { TestEnv } from '../../../test/support/fetcher-context';
import { parsedListing } from '../../../test/support/listings';
import { LoopbackServer } from '../../../test/support/loopback-server';
import { deleteQueueKeys } from '../../../test/support/processes';
import { createTestDatabase, TestDatabase, testQueuePrefix } from '../../../test/support/test-database';
import { ClassifierModule } from './classifier.module';
import { ClassifyProcessor } from './classify.processor';
import { EmbedProcessor } from './embed.processor';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PATH = '/v1/embeddings';
const MODEL = 'stand-in-embed-3';

/** The stand-in's vector of a text: deterministic, and different for different texts. */
function vectorOf(text: string): number[] {
  return [text.length, text.split(/\s+/).length, [...text].reduce((sum, c) => sum + c.charCodeAt(0), 0) % 97];
}

/** An OpenAI-compatible /v1/embeddings: answers each request with `statuses` in turn, then 200 with vectors. */
function embeddingsRoute(statuses: number[], inputs: string[][]) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model: string; input: string[] };
      inputs.push(body.input);
      const status = statuses.shift();
      if (status !== undefined) {
        res.writeHead(status, { 'content-type': 'application/json' }).end('{"error":{"message":"overloaded"}}');
        return;
      }
      const data = body.input.map((text, index) => ({ object: 'embedding', index, embedding: vectorOf(text) }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data }));
    });
  };
}

/** The classifier app (both workers) on a database and queue prefix of its own, with these extra settings. */
function useClassifierApp(label: string, settings: (server: LoopbackServer) => Record<string, string>) {
  const server = new LoopbackServer();
  const env = new TestEnv();
  const prefix = testQueuePrefix(label);
  const ctx = {} as { app: INestApplicationContext; sql: Client; database: TestDatabase; server: LoopbackServer };
  let runId: string;
  let sequence = 0;

  beforeAll(async () => {
    await server.start();
    ctx.server = server;
    ctx.database = await createTestDatabase(label);
    env.set({ DATABASE_URL: ctx.database.url, REDIS_URL, QUEUE_PREFIX: prefix, ...settings(server) });
    ctx.app = await (await Test.createTestingModule({ imports: [ClassifierModule] }).compile()).init();
    ctx.sql = new Client({ connectionString: ctx.database.url });
    await ctx.sql.connect();
    await ctx.app
      .get(SourceRepository)
      .syncFromFile([
        { id: 'hf', kind: 'hf-daily-papers', url: 'http://hf.test/api', schedule: '0 6 * * *', timezone: 'UTC' },
      ]);
    runId = (
      await ctx.sql.query<{ id: string }>(
        `INSERT INTO fetch_runs ("sourceId", "startedAt", status) VALUES ('hf', now(), 'running') RETURNING id`,
      )
    ).rows[0].id;
  }, 60_000);

  afterAll(async () => {
    await ctx.sql?.end();
    await ctx.app?.close();
    await deleteQueueKeys(REDIS_URL, prefix);
    await ctx.database?.drop();
    await server.stop();
    env.restore();
  });

  /** Stores a listing of its own and queues its classification as the fetcher does; the classify job. */
  async function classify(overrides: Partial<ParsedListing>): Promise<{ listing: ParsedListing; job: Job }> {
    sequence += 1;
    const listing = parsedListing({
      externalId: `2412.0${sequence}000`,
      arxivId: `2412.0${sequence}000`,
      title: `Speculative decoding with draft models, part ${sequence}`,
      ...overrides,
    });
    const {
      inserted: [id],
    } = await ctx.app.get(ListingRepository).store('hf', runId, [listing]);
    const job = await ctx.app.get(JobProducer).enqueue(JobName.ListingsClassify, { listingIds: [id] });
    return { listing, job };
  }

  return { ctx, classify };
}

/** The next event of a worker for a job of this name: resolves with the job (and its error for 'failed'). */
function next(worker: Worker, event: 'completed' | 'failed', name: JobName): Promise<{ job: Job; error?: Error }> {
  return new Promise((resolve) => {
    const listener = (job: Job, second: unknown): void => {
      if (job.name === (name as string)) {
        worker.off(event, listener);
        resolve({ job, error: event === 'failed' ? (second as Error) : undefined });
      }
    };
    worker.on(event, listener);
  });
}

async function paperOf(sql: Client, arxivId: string) {
  const { rows } = await sql.query<{ id: string; ready: boolean; featurized: boolean }>(
    `SELECT p.id, p."readyAt" IS NOT NULL AS ready,
            EXISTS (SELECT 1 FROM paper_features f WHERE f."paperId" = p.id) AS featurized
       FROM papers p WHERE p."arxivId" = $1`,
    [arxivId],
  );
  return rows[0];
}

async function embeddingRows(sql: Client) {
  return (
    await sql.query<{ paperId: string; model: string; dims: number; vector: Buffer }>(
      `SELECT "paperId", model, dims, vector FROM paper_embeddings ORDER BY "paperId"`,
    )
  ).rows;
}

const floats = (bytes: Buffer): number[] => [...new Float32Array(new Uint8Array(bytes).buffer)];

describe('paper embeddings, with EMBEDDINGS_URL set (loopback stand-in)', () => {
  const inputs: string[][] = [];
  const statuses: number[] = [];
  const { ctx, classify } = useClassifierApp('embed-on', (server) => ({
    EMBEDDINGS_URL: server.url(PATH),
    EMBEDDINGS_MODEL: MODEL,
    ALLOW_PRIVATE_TARGETS: 'true',
  }));

  beforeEach(async () => {
    inputs.length = 0;
    statuses.length = 0;
    ctx.server.route(PATH, embeddingsRoute(statuses, inputs));
    await ctx.sql.query('TRUNCATE paper_embeddings');
  });

  it('should store each classified paper`s embedding from its own job after classification', async () => {
    const embedWorker = ctx.app.get(EmbedProcessor).worker;
    const embedded = next(embedWorker, 'completed', JobName.PapersEmbed);
    const { listing } = await classify({ abstract: 'Draft models propose tokens a target model verifies.' });

    const { job } = await embedded;
    const paper = await paperOf(ctx.sql, listing.arxivId!);
    expect(job.data).toEqual({ paperIds: [paper.id] });
    expect(job.returnvalue).toEqual({ embedded: 1 });
    const text = embeddingText({ title: listing.title, abstract: listing.abstract, keywords: listing.keywords });
    expect(inputs).toEqual([[text]]);
    const rows = await embeddingRows(ctx.sql);
    expect(rows.map((row) => [row.paperId, row.model, row.dims])).toEqual([[paper.id, MODEL, 3]]);
    expect(floats(rows[0].vector)).toEqual(vectorOf(text));
    const stored = await ctx.app.get(EmbeddingRepository).vectors(MODEL, [paper.id]);
    expect([...stored.get(paper.id)!]).toEqual(vectorOf(text));
    // Another model's reader sees nothing: a new model needs a backfill.
    expect((await ctx.app.get(EmbeddingRepository).vectors('another-model', [paper.id])).size).toBe(0);
  });

  it('should classify while the endpoint answers 503, and store the embedding when the retried job succeeds', async () => {
    statuses.push(503);
    const classifyWorker = ctx.app.get(ClassifyProcessor).worker;
    const embedWorker = ctx.app.get(EmbedProcessor).worker;
    const classified = next(classifyWorker, 'completed', JobName.ListingsClassify);
    const failed = next(embedWorker, 'failed', JobName.PapersEmbed);
    const { listing } = await classify({ abstract: 'A second draft-model paper, embedded on the retry.' });

    expect((await classified).job.returnvalue).toEqual({ classified: 1, rejected: 0, skipped: 0, missing: 0 });
    const { job, error } = await failed;
    expect(error?.message).toContain('embeddings endpoint answered 503: overloaded');
    // Classified, featurized and ready all the same; the embed job waits for its backoff.
    expect(await paperOf(ctx.sql, listing.arxivId!)).toMatchObject({ ready: true, featurized: true });
    expect(await embeddingRows(ctx.sql)).toEqual([]);
    expect(await job.getState()).toBe('delayed');

    const embedded = next(embedWorker, 'completed', JobName.PapersEmbed);
    await job.promote();
    expect((await embedded).job.attemptsMade).toBe(2);
    const paper = await paperOf(ctx.sql, listing.arxivId!);
    expect((await embeddingRows(ctx.sql)).map((row) => row.paperId)).toEqual([paper.id]);
    expect(inputs).toHaveLength(2);
  });

  it('should call nothing for papers already embedded when the same job runs again', async () => {
    const embedWorker = ctx.app.get(EmbedProcessor).worker;
    const embedded = next(embedWorker, 'completed', JobName.PapersEmbed);
    await classify({ abstract: 'A third draft-model paper.' });
    const { job } = await embedded;
    expect(inputs).toHaveLength(1);

    const again = next(embedWorker, 'completed', JobName.PapersEmbed);
    await ctx.app.get(JobProducer).requeue(JobName.PapersEmbed, job.data as { paperIds: string[] });
    expect((await again).job.returnvalue).toEqual({ embedded: 0 });
    expect(inputs).toHaveLength(1);
  });

  it('should move a merged duplicate`s embedding to the kept paper, and drop it when the kept one has its own', async () => {
    const insert = async (title: string): Promise<string> =>
      (
        await ctx.sql.query<{ id: string }>(
          `INSERT INTO papers (title, abstract, authors, "listedAt", "readyAt") VALUES ($1, 'An abstract.', '{}', now(), now()) RETURNING id`,
          [title],
        )
      ).rows[0].id;
    const [kept, duplicate, keptWithOwn, duplicate2] = [
      await insert('Kept'),
      await insert('Duplicate'),
      await insert('Kept with its own'),
      await insert('Second duplicate'),
    ];
    const embeddings = ctx.app.get(EmbeddingRepository);
    const now = new Date('2026-12-07T12:00:00Z');
    await embeddings.store(
      MODEL,
      [
        { paperId: duplicate, vector: Float32Array.from([1, 2, 3]) },
        { paperId: keptWithOwn, vector: Float32Array.from([4, 5, 6]) },
        { paperId: duplicate2, vector: Float32Array.from([7, 8, 9]) },
      ],
      now,
    );

    await ctx.app.get(PaperRepository).mergeTransaction(async (statements) => {
      await statements.absorb(duplicate, kept);
      await statements.absorb(duplicate2, keptWithOwn);
    });

    const vectors = await embeddings.vectors(MODEL, [kept, duplicate, keptWithOwn, duplicate2]);
    expect(new Map([...vectors].map(([id, vector]) => [id, [...vector]]))).toEqual(
      new Map([
        [kept, [1, 2, 3]],
        [keptWithOwn, [4, 5, 6]],
      ]),
    );
    expect((await embeddingRows(ctx.sql)).length).toBe(2);
  });
});

describe('paper embeddings, without EMBEDDINGS_URL (the default)', () => {
  const { ctx, classify } = useClassifierApp('embed-off', () => ({}));

  it('should classify and featurize without queueing an embed job or storing an embedding', async () => {
    const classified = next(ctx.app.get(ClassifyProcessor).worker, 'completed', JobName.ListingsClassify);
    const { listing } = await classify({ abstract: 'Draft models, no embeddings configured.' });
    await classified;

    expect(await paperOf(ctx.sql, listing.arxivId!)).toMatchObject({ ready: true, featurized: true });
    expect(await embeddingRows(ctx.sql)).toEqual([]);
    const embedQueue = ctx.app.get(JobProducer).queue(QueueName.Embed);
    expect(await embedQueue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized')).toEqual(
      { waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0, prioritized: 0 },
    );
    expect(ctx.server.requests).toEqual([]);
  });
});
