import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import { SettingsModule } from '@libs/config';
import { DatabaseModule, ListingRepository, SourceRepository } from '@libs/database';
import { ParsedListing } from '@libs/domain';
import { createTestDatabase, TestDatabase } from '../../../test/support/test-database';
import { ClassifierService } from './classifier.service';
import { TopicTagger } from './topic-tagger';

/** A listing the fetcher refreshes while a classify batch that read it is in flight (real Postgres). */
describe('a listing refreshed during its classify batch', () => {
  let database: TestDatabase;
  let app: INestApplicationContext;
  let sql: Client;
  let runId: string;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    database = await createTestDatabase('refreshrace');
    process.env.DATABASE_URL = database.url;
    const moduleRef = await Test.createTestingModule({
      imports: [SettingsModule, DatabaseModule],
      providers: [ClassifierService, TopicTagger],
    }).compile();
    app = await moduleRef.init();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    await app
      .get(SourceRepository)
      .syncFromFile([
        { id: 'hf', kind: 'hf-daily-papers', url: 'http://hf.test/api', schedule: '0 6 * * *', timezone: 'UTC' },
      ]);
    runId = (
      await sql.query<{ id: string }>(
        `INSERT INTO fetch_runs ("sourceId", "startedAt", status) VALUES ('hf', now(), 'running') RETURNING id`,
      )
    ).rows[0].id;
  });

  afterAll(async () => {
    await sql?.end();
    await app?.close();
    await database?.drop();
    process.env = savedEnv;
  });

  const listing = (overrides: Partial<ParsedListing>): ParsedListing => ({
    externalId: '2410.20001',
    arxivId: '2410.20001',
    arxivVersion: null,
    doi: null,
    announceType: null,
    title: 'Chain-of-thought reasoning with large language models',
    abstract: 'We improve chain-of-thought reasoning of large language models with test-time compute.',
    authors: ['Ada Lovelace'],
    listedAt: new Date('2026-11-27T10:00:00Z'),
    publishedAt: null,
    upvotes: 5,
    comments: null,
    keywords: [],
    categories: [],
    summary: null,
    url: null,
    codeUrl: null,
    projectUrl: null,
    ...overrides,
  });

  it('should not mark the refreshed details classified when the batch merged the old ones', async () => {
    const listings = app.get(ListingRepository);
    const {
      inserted: [id],
    } = await listings.store('hf', runId, [listing({})]);

    // The fetcher refreshes the listing (upvotes 5 -> 99) while the classify batch that read it is
    // between its read and its claim (the tagger runs in between).
    const tagger = app.get(TopicTagger);
    const original = tagger.tag.bind(tagger);
    let refreshed: string[] = [];
    jest.spyOn(tagger, 'tag').mockImplementationOnce(async (papers) => {
      ({ refreshed } = await listings.store('hf', runId, [listing({ upvotes: 99 })]));
      return original(papers);
    });

    await app.get(ClassifierService).classifyBatch([id]);
    expect(refreshed).toEqual([id]);

    const [row] = (
      await sql.query<{ upvotes: number; classifiedAt: Date | null; paperUpvotes: number }>(
        `SELECT l.upvotes, l."classifiedAt", p.upvotes AS "paperUpvotes"
         FROM listings l JOIN papers p ON p.id = l."paperId" WHERE l.id = $1`,
        [id],
      )
    ).rows;
    // The batch's claim saw the listing had changed since it was read, and the batch ran again on it.
    expect(row).toEqual({ upvotes: 99, classifiedAt: expect.any(Date), paperUpvotes: 99 });
  });
});
