import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Worker } from 'bullmq';
import { Client } from 'pg';
import { loadSettings, Settings, SettingsModule } from '@libs/config';
import { DatabaseModule, EmbeddingRepository } from '@libs/database';
import { JobName, JobProducer, QueueName, QueuesModule, queuePrefix } from '@libs/queues';
import { TestEnv } from '../../../test/support/fetcher-context';
import { deleteQueueKeys } from '../../../test/support/processes';
import { createTestDatabase, TestDatabase, testQueuePrefix } from '../../../test/support/test-database';
import { EmbedBackfillService } from './embed-backfill.service';
import { CliError, PipelineRunner } from './pipeline-runner.service';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MODEL = 'stand-in-embed-3';

/** `embed` against real Postgres and Redis: it queues the classifier's own jobs for the papers still missing one. */
describe(EmbedBackfillService.name, () => {
  const env = new TestEnv();
  const prefix = testQueuePrefix('cli-embed');
  let database: TestDatabase;
  let app: INestApplicationContext;
  let sql: Client;
  let worker: Worker | undefined;

  beforeAll(async () => {
    database = await createTestDatabase('cli_embed');
    env.set({
      DATABASE_URL: database.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      EMBEDDINGS_URL: 'https://embeddings.example.org/v1/embeddings',
      EMBEDDINGS_MODEL: MODEL,
    });
    app = await (
      await Test.createTestingModule({
        imports: [SettingsModule, DatabaseModule, QueuesModule],
        providers: [PipelineRunner, EmbedBackfillService],
      }).compile()
    ).init();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    await sql?.end();
    await app?.close();
    await deleteQueueKeys(REDIS_URL, prefix);
    await database?.drop();
    env.restore();
  });

  const insert = async (title: string, ready: boolean): Promise<string> =>
    (
      await sql.query<{ id: string }>(
        `INSERT INTO papers (title, abstract, authors, "listedAt", "readyAt")
         VALUES ($1, 'An abstract.', '{}', now(), CASE WHEN $2 THEN now() END) RETURNING id`,
        [title, ready],
      )
    ).rows[0].id;

  it('should refuse while no classifier listens on the embed queue, naming it', async () => {
    const refused = app.get(EmbedBackfillService).queueMissing();
    await expect(refused).rejects.toThrow(CliError);
    await expect(refused).rejects.toThrow(/The classifier is not running: no worker listens on queue "embed"/);
  });

  it('should refuse when embeddings are off, naming the settings', async () => {
    const off = new EmbedBackfillService(
      loadSettings({ DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix }),
      app.get(EmbeddingRepository),
      app.get(JobProducer),
      app.get(PipelineRunner),
    );
    await expect(off.queueMissing()).rejects.toThrow('embed needs EMBEDDINGS_URL and EMBEDDINGS_MODEL');
  });

  it('should queue every ready paper without an embedding of the model, and nothing the second time round', async () => {
    const settings = app.get(Settings);
    worker = new Worker(QueueName.Embed, () => Promise.resolve({ embedded: 0 }), {
      connection: { url: REDIS_URL },
      prefix: queuePrefix(settings, QueueName.Embed),
    });
    await worker.waitUntilReady();
    const missing = [await insert('Missing one', true), await insert('Missing another', true)];
    const embedded = await insert('Embedded already', true);
    const otherModel = await insert('Embedded by another model', true);
    await insert('Not ready yet', false);
    const repository = app.get(EmbeddingRepository);
    const now = new Date('2026-12-07T12:00:00Z');
    await repository.store(MODEL, [{ paperId: embedded, vector: Float32Array.from([1, 2, 3]) }], now);
    await repository.store('older-model', [{ paperId: otherModel, vector: Float32Array.from([4, 5]) }], now);

    const pages: number[] = [];
    expect(await app.get(EmbedBackfillService).queueMissing((queued) => pages.push(queued))).toEqual({
      papers: 3,
      jobs: 1,
    });
    expect(pages).toEqual([3]);
    const jobs = await app
      .get(JobProducer)
      .queue(QueueName.Embed)
      .getJobs(['waiting', 'active', 'completed', 'delayed', 'failed']);
    expect(jobs.map((job) => [job.name, job.data])).toEqual([
      [JobName.PapersEmbed, { paperIds: [...missing, otherModel].sort() }],
    ]);

    // What is embedded meanwhile is not queued again.
    await repository.store(
      MODEL,
      [...missing, otherModel].map((paperId) => ({ paperId, vector: Float32Array.from([1, 1, 1]) })),
      now,
    );
    expect(await app.get(EmbedBackfillService).queueMissing()).toEqual({ papers: 0, jobs: 0 });
  });
});
