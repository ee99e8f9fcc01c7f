import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import { SettingsModule } from '@libs/config';
import { DatabaseModule } from '@libs/database';
import { ClassifierService } from '../apps/classifier/src/classifier.service';
import { TopicTagger } from '../apps/classifier/src/topic-tagger';
import { createFetcherContext, FetcherContext, TestEnv } from './support/fetcher-context';
import { deleteQueueKeys } from './support/processes';
import { close, listen } from './support/stand-ins';
import { createTestDatabase, TestDatabase, testQueuePrefix } from './support/test-database';

const REDIS_URL = 'redis://127.0.0.1:6379';
const DATE = '2024-10-25';
const NUL_DATE = '2024-10-28';
const [ENTRY] = JSON.parse(readFileSync(join(__dirname, 'fixtures/hf/daily-papers-2024-10-25.json'), 'utf8')) as {
  paper: Record<string, unknown>;
}[];

/**
 * Hugging Face lists a paper on its day with the upvotes, AI keywords and links it has then; the fetcher asks
 * for the newest dates again, and what grew since must reach the paper (fetcher and classifier together).
 */
describe('listings fetched again (end to end)', () => {
  const env = new TestEnv();
  const prefix = testQueuePrefix('refetch');
  let database: TestDatabase;
  let fetcher: FetcherContext;
  let classifier: INestApplicationContext;
  let sql: Client;
  let served: Record<string, unknown> = {};
  const nul = { id: '2410.99999', title: 'A title with a \u0000 in it', summary: 'An abstract with a \u0000 in it.' };
  const hf = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const date = new URL(req.url ?? '/', 'http://hf').searchParams.get('date');
    const entries = date === DATE ? [{ ...ENTRY, paper: { ...ENTRY.paper, ...served } }] : [];
    res.end(JSON.stringify(date === NUL_DATE ? [ENTRY, { ...ENTRY, paper: { ...ENTRY.paper, ...nul } }] : entries));
  });

  beforeAll(async () => {
    database = await createTestDatabase('refetch');
    await listen(hf);
    env.set({ DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix, ALLOW_PRIVATE_TARGETS: 'true' });
    fetcher = await createFetcherContext([
      {
        id: 'hf',
        kind: 'hf-daily-papers',
        url: `http://127.0.0.1:${(hf.address() as AddressInfo).port}/api/daily_papers`,
        schedule: '0 6 * * *',
        timezone: 'UTC',
      },
    ]);
    classifier = await (
      await Test.createTestingModule({
        imports: [SettingsModule, DatabaseModule],
        providers: [ClassifierService, TopicTagger],
      }).compile()
    ).init();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  });

  afterAll(async () => {
    await sql?.end();
    await classifier?.close();
    await fetcher?.close();
    await close(hf);
    await deleteQueueKeys(REDIS_URL, prefix);
    await database?.drop();
    env.restore();
  });

  /** What the classifier workers would do with the queued listings. */
  const classifyPending = async (): Promise<void> => {
    const { rows } = await sql.query<{ id: string }>(`SELECT id FROM listings WHERE "classifiedAt" IS NULL`);
    if (rows.length > 0) {
      await classifier.get(ClassifierService).classifyBatch(rows.map((row) => row.id));
    }
  };

  it('should raise the paper’s upvotes and fill its keywords, summary and code link when a later fetch of the day has them', async () => {
    served = { upvotes: 3, ai_keywords: [], ai_summary: null, githubRepo: null };
    await fetcher.fetcher.fetch('hf', DATE);
    await classifyPending();
    const arxivId = ENTRY.paper.id as string;
    expect((await sql.query(`SELECT upvotes FROM papers WHERE "arxivId" = $1`, [arxivId])).rows).toEqual([
      { upvotes: 3 },
    ]);

    // The same day asked for again later (the newest dates are fetched on every run): the paper has grown.
    served = {
      upvotes: 120,
      ai_keywords: ['contrastive loss'],
      ai_summary: 'A summary Hugging Face wrote later.',
      githubRepo: 'https://github.com/example/repo',
    };
    await fetcher.fetcher.fetch('hf', DATE);
    await classifyPending();

    const { rows } = await sql.query(`SELECT upvotes, keywords, summary, "codeUrl" FROM papers WHERE "arxivId" = $1`, [
      arxivId,
    ]);
    expect(rows).toEqual([
      {
        upvotes: 120,
        keywords: ['contrastive loss'],
        summary: 'A summary Hugging Face wrote later.',
        codeUrl: 'https://github.com/example/repo',
      },
    ]);

    // Asked once more, unchanged: nothing is stored or queued again.
    await fetcher.fetcher.fetch('hf', DATE);
    const unclassified = await sql.query(`SELECT id FROM listings WHERE "classifiedAt" IS NULL`);
    expect(unclassified.rows).toEqual([]);
  });

  it('should store a day whose listing has a NUL character in its title or abstract, not fail the whole run', async () => {
    // Postgres text cannot hold U+0000: one such item would fail the day's run, and every run after it.
    const outcome = await fetcher.fetcher.fetch('hf', NUL_DATE).then(
      () => 'stored',
      (error: Error) => error.message,
    );
    expect(outcome).toBe('stored');
    const { rows } = await sql.query(`SELECT status, error FROM fetch_runs WHERE "listingDate" = $1`, [NUL_DATE]);
    expect(rows).toEqual([expect.objectContaining({ status: 'succeeded' })]);
    const stored = await sql.query(`SELECT abstract FROM listings WHERE "externalId" = $1`, [nul.id]);
    expect(stored.rows).toEqual([{ abstract: 'An abstract with a  in it.' }]);
  });
});
