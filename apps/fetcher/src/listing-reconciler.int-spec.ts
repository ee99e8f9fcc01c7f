import { Test, TestingModule } from '@nestjs/testing';
import { Job, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { SettingsModule } from '@libs/config';
import { DatabaseModule, FetchRunRepository, ListingRepository, SourceRepository } from '@libs/database';
import { ParsedListing } from '@libs/domain';
import { JobData, JobName, JobProducer, QueueName, QueuesModule } from '@libs/queues';
import { TestEnv } from '../../../test/support/fetcher-context';
import { parsedListing } from '../../../test/support/listings';
import { deleteQueueKeys } from '../../../test/support/processes';
import { createTestDatabase, TestDatabase, testQueuePrefix } from '../../../test/support/test-database';
import { ListingReconciler } from './listing-reconciler.service';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Listings whose classify job was lost are queued again by the reconciler's tick, not by a fetch. */
describe(ListingReconciler.name, () => {
  const env = new TestEnv();
  const prefix = testQueuePrefix('reconciler');
  let database: TestDatabase;
  let app: TestingModule;
  let classify: Queue;

  beforeAll(async () => {
    database = await createTestDatabase('reconciler');
    env.set({ DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix });
    app = await Test.createTestingModule({
      imports: [SettingsModule, DatabaseModule, QueuesModule],
      providers: [ListingReconciler],
    }).compile();
    app.useLogger(false);
    await app.init();
    await app
      .get(SourceRepository)
      .syncFromFile([
        { id: 'hf', kind: 'hf-daily-papers', url: 'http://hf.test/api', schedule: '0 6 * * *', timezone: 'UTC' },
      ]);
    classify = app.get(JobProducer).queue(QueueName.Classify);
  });

  afterAll(async () => {
    await app?.close();
    await deleteQueueKeys(REDIS_URL, prefix);
    await database?.drop();
    env.restore();
  });

  const listing = (id: string): ParsedListing => parsedListing({ externalId: id, arxivId: id, title: `Paper ${id}` });

  /** Stores listings as fetched at `fetchedAt`, and queues nothing: their job is lost. */
  const stored = async (fetchedAt: Date, ids: string[]): Promise<string[]> => {
    const run = await app.get(FetchRunRepository).start('hf', null, fetchedAt);
    const { inserted } = await app.get(ListingRepository).store('hf', run, ids.map(listing));
    await app
      .get(DataSource)
      .query(`UPDATE listings SET "fetchedAt" = $2 WHERE id = ANY($1::uuid[])`, [inserted, fetchedAt]);
    return inserted;
  };
  const queuedListings = async (): Promise<string[]> =>
    (
      (await classify.getJobs(['waiting', 'delayed', 'prioritized'])) as Job<JobData<JobName.ListingsClassify>>[]
    ).flatMap((job) => job.data.listingIds);

  it('should re-queue listings left unclassified before the cut-off, once, and leave newer and classified ones', async () => {
    const lost = await stored(new Date('2026-01-01T06:00:00Z'), ['2601.00001', '2601.00002']);
    const [classified] = await stored(new Date('2026-01-01T06:00:00Z'), ['2601.00003']);
    await app.get(DataSource).query(`UPDATE listings SET "classifiedAt" = "fetchedAt" WHERE id = $1`, [classified]);
    const recent = await stored(new Date('2026-01-01T07:00:00Z'), ['2601.00004']);
    const reconciler = app.get(ListingReconciler);

    expect(await reconciler.requeueUnclassified(new Date('2026-01-01T06:30:00Z'))).toBe(2);
    expect((await queuedListings()).sort()).toEqual([...lost].sort());

    // A second tick while the job waits queues nothing more.
    expect(await reconciler.requeueUnclassified(new Date('2026-01-01T06:30:00Z'))).toBe(2);
    expect((await queuedListings()).sort()).toEqual([...lost].sort());

    expect(await reconciler.requeueUnclassified(new Date('2026-01-01T08:00:00Z'))).toBe(3);
    expect(await queuedListings()).toEqual(expect.arrayContaining([...lost, ...recent]));
    expect(await queuedListings()).not.toContain(classified);
  });
});
