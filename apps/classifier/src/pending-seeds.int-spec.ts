import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import { SettingsModule } from '@libs/config';
import { ShiftedClock } from '@libs/domain';
import { DatabaseModule, ListingRepository, ProfileRepository, SourceRepository } from '@libs/database';
import { QueueName, QueuesModule, JobProducer } from '@libs/queues';
import { deleteQueueKeys } from '../../../test/support/processes';
import { createTestDatabase, TestDatabase, testQueuePrefix } from '../../../test/support/test-database';
import { testInstant } from '../../../test/support/test-clock';
import { ClassifierService } from './classifier.service';
import { PendingSeedResolver } from './pending-seeds';
import { TopicTagger } from './topic-tagger';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A seed paper asked for before Paperboy knew it becomes a seed up-vote once a classify batch makes it. */
describe(PendingSeedResolver.name, () => {
  let database: TestDatabase;
  let app: INestApplicationContext;
  let sql: Client;
  const prefix = testQueuePrefix('pending-seeds');
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    database = await createTestDatabase('pending_seeds');
    Object.assign(process.env, { DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix });
    app = await (
      await Test.createTestingModule({
        imports: [SettingsModule, DatabaseModule, QueuesModule],
        providers: [ClassifierService, TopicTagger, PendingSeedResolver],
      }).compile()
    ).init();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    await app
      .get(SourceRepository)
      .syncFromFile([
        { id: 'arxiv', kind: 'arxiv-api', url: 'http://arxiv.test/api/query', schedule: '0 6 * * *', timezone: 'UTC' },
      ]);
  }, 60_000);

  afterAll(async () => {
    await sql?.end();
    await app?.close();
    await deleteQueueKeys(REDIS_URL, prefix);
    await database?.drop();
    process.env = savedEnv;
  });

  const subscription = async (): Promise<string> =>
    (
      await sql.query<{ id: string }>(
        `INSERT INTO subscriptions (status, frequency, timezone, "sendHour") VALUES ('active', 'daily', 'UTC', 8) RETURNING id`,
      )
    ).rows[0].id;

  it('turns the seed into an up-vote once the looked-up listing is classified, once, and queues a training', async () => {
    const subscriber = await subscription();
    const bystander = await subscription();
    const now = testInstant();
    await app.get(ProfileRepository).addPendingSeeds(subscriber, ['2410.31111', '2410.39999'], now);
    const resolver = app.get(PendingSeedResolver);
    // Nothing found yet: nothing changes.
    expect(await resolver.resolve(now)).toEqual([]);

    const {
      inserted: [listingId],
    } = await app.get(ListingRepository).store('arxiv', null as unknown as string, [
      {
        externalId: '2410.31111',
        arxivId: '2410.31111',
        arxivVersion: 1,
        doi: null,
        announceType: null,
        title: 'Paged attention for serving KV caches',
        abstract: 'We page the KV cache of served language models.',
        authors: ['Ada Lovelace'],
        listedAt: new Date('2026-11-27T10:00:00Z'),
        publishedAt: null,
        upvotes: 0,
        comments: null,
        keywords: [],
        categories: ['cs.CL'],
        summary: null,
        url: null,
        codeUrl: null,
        projectUrl: null,
      },
    ]);
    await app.get(ClassifierService).classifyBatch([listingId]);

    expect(await resolver.resolve(now)).toEqual([subscriber]);
    expect(await resolver.resolve(now)).toEqual([]);
    const votes = await sql.query(
      `SELECT v."subscriptionId", p."arxivId", v.vote, v.source FROM paper_votes v JOIN papers p ON p.id = v."paperId"`,
    );
    expect(votes.rows).toEqual([{ subscriptionId: subscriber, arxivId: '2410.31111', vote: 'up', source: 'seed' }]);
    const pending = await sql.query(`SELECT "subscriptionId", "arxivId" FROM pending_seeds`);
    expect(pending.rows).toEqual([{ subscriptionId: subscriber, arxivId: '2410.39999' }]);
    const ranking = await sql.query<{ id: string; ranking: string | null }>(
      `SELECT id, ranking FROM subscriptions WHERE id = ANY($1::uuid[])`,
      [[subscriber, bystander]],
    );
    expect(Object.fromEntries(ranking.rows.map((row) => [row.id, row.ranking]))).toEqual({
      [subscriber]: 'for-you',
      [bystander]: null,
    });
    const training = await app.get(JobProducer).queue(QueueName.Classify).getJobs(['delayed', 'waiting']);
    expect(training.map((job) => [job.name, job.data])).toEqual([['RelevanceTrain', { subscriptionId: subscriber }]]);
  });

  it("expires pending seeds by the injected clock's time, not the machine's", async () => {
    const subscriber = await subscription();
    const asked = testInstant();
    await app.get(ProfileRepository).addPendingSeeds(subscriber, ['2410.37777'], asked);
    const pending = async () =>
      (await sql.query(`SELECT 1 FROM pending_seeds WHERE "subscriptionId" = $1`, [subscriber])).rows.length;
    const at = (instant: Date) =>
      new PendingSeedResolver(app.get(ProfileRepository), app.get(JobProducer), new ShiftedClock(instant));

    // An hour after it was asked for (whatever the machine's date): kept.
    await at(new Date(asked.getTime() + 3600_000)).resolve();
    expect(await pending()).toBe(1);
    // Eight days after: given up.
    await at(new Date(asked.getTime() + 8 * 24 * 3600_000)).resolve();
    expect(await pending()).toBe(0);
  });
});
