import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import { SettingsModule } from '@libs/config';
import { DatabaseModule, ListingRepository, SourceRepository } from '@libs/database';
import { ParsedListing, PermanentError } from '@libs/domain';
import { createTestDatabase, TestDatabase } from '../../../test/support/test-database';
import { ClassifierService } from './classifier.service';

/** Listings become canonical papers in real Postgres. */
describe(ClassifierService.name, () => {
  let database: TestDatabase;
  let app: INestApplicationContext;
  let sql: Client;
  const savedEnv = { ...process.env };
  let runId: string;

  beforeAll(async () => {
    database = await createTestDatabase('classifier');
    process.env.DATABASE_URL = database.url;
    const moduleRef = await Test.createTestingModule({
      imports: [SettingsModule, DatabaseModule],
      providers: [ClassifierService],
    }).compile();
    app = await moduleRef.init();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    await app.get(SourceRepository).syncFromFile([
      { id: 'hf', kind: 'hf-daily-papers', url: 'http://hf.test/api', schedule: '0 6 * * *', timezone: 'UTC' },
      { id: 'other', kind: 'hf-daily-papers', url: 'http://other.test/api', schedule: '0 6 * * *', timezone: 'UTC' },
    ]);
    runId = (await sql.query<{ id: string }>(`INSERT INTO fetch_runs ("sourceId", "startedAt", status) VALUES ('hf', now(), 'running') RETURNING id`))
      .rows[0].id;
  });

  afterAll(async () => {
    await sql?.end();
    await app?.close();
    await database?.drop();
    process.env = savedEnv;
  });

  const listing = (overrides: Partial<ParsedListing>): ParsedListing => ({
    externalId: '2410.00001',
    arxivId: '2410.00001',
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

  async function store(source: string, parsed: ParsedListing): Promise<string> {
    const [id] = await app.get(ListingRepository).insertNew(source, source === 'hf' ? runId : (null as unknown as string), [parsed]);
    return id;
  }

  it('should make one ready, tagged paper of one listing, and skip it the second time', async () => {
    const id = await store('hf', listing({ externalId: '2410.10001', arxivId: '2410.10001' }));
    expect(await app.get(ClassifierService).classifyListing(id)).toBe('classified');
    expect(await app.get(ClassifierService).classifyListing(id)).toBe('skipped');
    const { rows } = await sql.query(
      `SELECT p."readyAt" IS NOT NULL AS ready, array_agg(t.topic ORDER BY t.topic) AS topics
       FROM papers p JOIN paper_topics t ON t."paperId" = p.id WHERE p."arxivId" = '2410.10001' GROUP BY p.id`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].ready).toBe(true);
    expect(rows[0].topics).toEqual(expect.arrayContaining(['llm', 'reasoning']));
  });

  it('should merge listings of the same paper from two sources classified at the same moment', async () => {
    const a = await store('hf', listing({ externalId: '2410.20002', arxivId: '2410.20002', upvotes: 3, arxivVersion: 1 }));
    const b = await store(
      'other',
      listing({ externalId: 'x-2410.20002', arxivId: '2410.20002', upvotes: 9, arxivVersion: 2, codeUrl: 'https://github.com/x/y' }),
    );
    const service = app.get(ClassifierService);
    await Promise.all([service.classifyListing(a), service.classifyListing(b)]);
    const { rows } = await sql.query(`SELECT id, version, upvotes, "codeUrl" FROM papers WHERE "arxivId" = '2410.20002'`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ version: 2, upvotes: 9, codeUrl: 'https://github.com/x/y' });
    const listings = await sql.query(`SELECT DISTINCT "paperId" FROM listings WHERE "arxivId" = '2410.20002'`);
    expect(listings.rows).toEqual([{ paperId: rows[0].id }]);
  });

  it('should keep the earliest listing time when a later version arrives', async () => {
    const first = await store('hf', listing({ externalId: '2410.30003', arxivId: '2410.30003', arxivVersion: 1 }));
    await app.get(ClassifierService).classifyListing(first);
    const later = await store(
      'other',
      listing({ externalId: 'v3', arxivId: '2410.30003', arxivVersion: 3, listedAt: new Date('2026-11-28T10:00:00Z') }),
    );
    await app.get(ClassifierService).classifyListing(later);
    const { rows } = await sql.query(`SELECT version, "listedAt" FROM papers WHERE "arxivId" = '2410.30003'`);
    expect(rows).toEqual([{ version: 3, listedAt: new Date('2026-11-27T10:00:00Z') }]);
  });

  it('should reject a listing without a usable title with its reason, and fail for a missing listing', async () => {
    const id = await store('hf', listing({ externalId: 'blank', arxivId: null, title: '   ' }));
    expect(await app.get(ClassifierService).classifyListing(id)).toBe('rejected');
    const { rows } = await sql.query(`SELECT "rejectedReason", "paperId", "classifiedAt" IS NOT NULL AS done FROM listings WHERE id = $1`, [id]);
    expect(rows[0]).toEqual({ rejectedReason: 'empty title', paperId: null, done: true });
    await expect(app.get(ClassifierService).classifyListing('00000000-0000-0000-0000-000000000000')).rejects.toBeInstanceOf(
      PermanentError,
    );
  });

  it('should classify text in any script and a megabyte abstract without failing', async () => {
    const id = await store(
      'hf',
      listing({
        externalId: 'zh',
        arxivId: null,
        title: '大型语言模型的推理能力研究',
        abstract: Array.from({ length: 120_000 }, (_, i) => `слово${i}`).join(' '),
      }),
    );
    expect(await app.get(ClassifierService).classifyListing(id)).toBe('classified');
    const { rows } = await sql.query(`SELECT title FROM papers WHERE title = '大型语言模型的推理能力研究'`);
    expect(rows).toHaveLength(1);
  });
});
