import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import { SettingsModule } from '@libs/config';
import { DatabaseModule, ListingRepository, SourceRepository } from '@libs/database';
import { ParsedListing } from '@libs/domain';
import { ClassifierService, ListingOutcome } from '../../apps/classifier/src/classifier.service';
import { TopicTagger } from '../../apps/classifier/src/topic-tagger';
import { parsedListing } from './listings';
import { createTestDatabase, TestDatabase } from './test-database';

/*
 * The context of the classifier's specs: ClassifierService in-process against its own Postgres database
 * (one per spec file), two Hugging Face sources and a running fetch run, and builders for the listings the
 * specs store and classify. Each spec file calls useClassifierContext() once at its top.
 */
export interface ClassifierContext {
  readonly app: INestApplicationContext;
  readonly sql: Client;
  /** The fetch run listings of source 'hf' are stored under. */
  readonly runId: string;
  /** A listing as a parser gives it (test/support/listings.ts). */
  listing(overrides: Partial<ParsedListing>): ParsedListing;
  /** Stores one listing of `source` ('hf' or 'other'); returns its id. */
  store(source: string, parsed: ParsedListing): Promise<string>;
  classifyOne(id: string): Promise<ListingOutcome | undefined>;
  classifyBatch(ids: string[]): Promise<Map<string, ListingOutcome>>;
  /** A listing of its own external id and title, stored and classified; returns the listing id. */
  classified(source: string, overrides: Partial<ParsedListing>): Promise<string>;
  paperOf(listingId: string): Promise<string | null>;
  paperRow(id: string | null): Promise<Record<string, unknown>>;
}

/** `env`: settings of the spec's own on top of the test environment (CLOCK_START, say). */
export function useClassifierContext(name: string, env: NodeJS.ProcessEnv = {}): ClassifierContext {
  let database: TestDatabase;
  let app: INestApplicationContext;
  let sql: Client;
  let runId: string;
  let sequence = 0;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    database = await createTestDatabase(name);
    Object.assign(process.env, env, { DATABASE_URL: database.url });
    const moduleRef = await Test.createTestingModule({
      imports: [SettingsModule, DatabaseModule],
      providers: [ClassifierService, TopicTagger],
    }).compile();
    app = await moduleRef.init();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    await app.get(SourceRepository).syncFromFile([
      { id: 'hf', kind: 'hf-daily-papers', url: 'http://hf.test/api', schedule: '0 6 * * *', timezone: 'UTC' },
      { id: 'other', kind: 'hf-daily-papers', url: 'http://other.test/api', schedule: '0 6 * * *', timezone: 'UTC' },
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

  const context: ClassifierContext = {
    get app() {
      return app;
    },
    get sql() {
      return sql;
    },
    get runId() {
      return runId;
    },
    listing: (overrides) => parsedListing(overrides),
    async store(source, parsed) {
      const runOfSource = source === 'hf' ? runId : (null as unknown as string);
      const {
        inserted: [id],
      } = await app.get(ListingRepository).store(source, runOfSource, [parsed]);
      return id;
    },
    classifyOne: async (id) => (await app.get(ClassifierService).classifyBatch([id])).get(id),
    classifyBatch: (ids) => app.get(ClassifierService).classifyBatch(ids),
    async classified(source, overrides) {
      sequence += 1;
      // A title of its own: listings sharing title and authors are one paper by design.
      const title = `Chain-of-thought reasoning with large language models, study ${sequence}`;
      const id = await context.store(
        source,
        parsedListing({ externalId: `ext-${sequence}`, arxivId: null, title, ...overrides }),
      );
      expect(await context.classifyOne(id)).toBe('classified');
      return id;
    },
    paperOf: async (listingId) =>
      (await sql.query<{ paperId: string | null }>(`SELECT "paperId" FROM listings WHERE id = $1`, [listingId])).rows[0]
        .paperId,
    paperRow: async (id) => (await sql.query(`SELECT * FROM papers WHERE id = $1`, [id])).rows[0],
  };
  return context;
}
