import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import { SettingsModule } from '@libs/config';
import { DatabaseModule, ListingRepository, SourceRepository } from '@libs/database';
import { ParsedListing } from '@libs/domain';
import { createTestDatabase, TestDatabase } from '../../../test/support/test-database';
import { ClassifierService, ListingOutcome } from './classifier.service';
import { TopicTagger } from './topic-tagger';

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
    // Creating and migrating a database takes more than jest's default 5 s on a busy 2-core machine.
  }, 60_000);

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

  const classifyOne = async (id: string): Promise<ListingOutcome | undefined> =>
    (await app.get(ClassifierService).classifyBatch([id])).get(id);

  async function store(source: string, parsed: ParsedListing): Promise<string> {
    const {
      inserted: [id],
    } = await app.get(ListingRepository).store(source, source === 'hf' ? runId : (null as unknown as string), [parsed]);
    return id;
  }

  it('should make one ready, tagged paper of one listing, and skip it the second time', async () => {
    const id = await store('hf', listing({ externalId: '2410.10001', arxivId: '2410.10001' }));
    expect(await classifyOne(id)).toBe('classified');
    expect(await classifyOne(id)).toBe('skipped');
    const { rows } = await sql.query(
      `SELECT p."readyAt" IS NOT NULL AS ready, array_agg(t.topic ORDER BY t.topic) AS topics
       FROM papers p JOIN paper_topics t ON t."paperId" = p.id WHERE p."arxivId" = '2410.10001' GROUP BY p.id`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].ready).toBe(true);
    expect(rows[0].topics).toEqual(expect.arrayContaining(['llm', 'reasoning']));
  });

  it('should store the relevance term counts of each ready paper once, and count its terms once', async () => {
    const id = await store(
      'hf',
      listing({ externalId: '2410.20001', arxivId: '2410.20001', title: 'Parallel decoding of long documents' }),
    );
    expect(await classifyOne(id)).toBe('classified');
    const documents = async (term: string): Promise<number | undefined> =>
      (await sql.query<{ documents: number }>(`SELECT documents FROM term_frequencies WHERE term = $1`, [term])).rows[0]
        ?.documents;
    const { rows } = await sql.query<{ terms: string[]; counts: number[] }>(
      `SELECT f.terms, f.counts FROM paper_features f JOIN papers p ON p.id = f."paperId" WHERE p."arxivId" = '2410.20001'`,
    );
    expect(rows).toHaveLength(1);
    // Title words count twice; the author is a feature of their own.
    expect(rows[0].counts[rows[0].terms.indexOf('parallel decoding')]).toBe(2);
    expect(rows[0].terms).toContain('author:lovelace a');
    const before = { all: await documents(''), term: await documents('parallel decoding') };
    expect(before.term).toBeGreaterThanOrEqual(1);

    // Nothing left to featurize: a second pass (another batch, a retried job) counts nothing again.
    expect(await app.get(ClassifierService).featurizeReady()).toBe(0);
    expect({ all: await documents(''), term: await documents('parallel decoding') }).toEqual(before);
  });

  it('should merge listings of the same paper from two sources classified at the same moment', async () => {
    const a = await store(
      'hf',
      listing({ externalId: '2410.20002', arxivId: '2410.20002', upvotes: 3, arxivVersion: 1 }),
    );
    const b = await store(
      'other',
      listing({
        externalId: 'x-2410.20002',
        arxivId: '2410.20002',
        upvotes: 9,
        arxivVersion: 2,
        codeUrl: 'https://github.com/x/y',
      }),
    );
    await Promise.all([classifyOne(a), classifyOne(b)]);
    const { rows } = await sql.query(
      `SELECT id, version, upvotes, "codeUrl" FROM papers WHERE "arxivId" = '2410.20002'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ version: 2, upvotes: 9, codeUrl: 'https://github.com/x/y' });
    const listings = await sql.query(`SELECT DISTINCT "paperId" FROM listings WHERE "arxivId" = '2410.20002'`);
    expect(listings.rows).toEqual([{ paperId: rows[0].id }]);
  });

  it('should store a new paper with its texts tidied, whichever of them tidying changed', async () => {
    const ids = [
      await store('hf', listing({ externalId: '2410.90001', arxivId: '2410.90001', title: 'Scaling for\n  Loss' })),
      await store('hf', listing({ externalId: '2410.90002', arxivId: '2410.90002', abstract: ' Wrapped\nabstract. ' })),
      await store('hf', listing({ externalId: '2410.90003', arxivId: '2410.90003', authors: ['Ada', ' Ada ', 'Bo'] })),
      await store('hf', listing({ externalId: '2410.90004', arxivId: '2410.90004', title: 'As listed' })),
    ];
    const outcomes = await app.get(ClassifierService).classifyBatch(ids);
    expect([...outcomes.values()]).toEqual(['classified', 'classified', 'classified', 'classified']);
    const { rows } = await sql.query(
      `SELECT "arxivId", title, abstract, authors, "searchVector" @@ to_tsquery('english', 'wrapped') AS found
       FROM papers WHERE "arxivId" LIKE '2410.9000%' ORDER BY "arxivId"`,
    );
    const { title, abstract, authors } = listing({});
    expect(rows).toEqual([
      { arxivId: '2410.90001', title: 'Scaling for Loss', abstract, authors, found: false },
      { arxivId: '2410.90002', title, abstract: 'Wrapped abstract.', authors, found: true },
      { arxivId: '2410.90003', title, abstract, authors: ['Ada', 'Bo'], found: false },
      { arxivId: '2410.90004', title: 'As listed', abstract, authors, found: false },
    ]);
  });

  it('should keep the earliest listing time when a later version arrives', async () => {
    const first = await store('hf', listing({ externalId: '2410.30003', arxivId: '2410.30003', arxivVersion: 1 }));
    await classifyOne(first);
    const later = await store(
      'other',
      listing({ externalId: 'v3', arxivId: '2410.30003', arxivVersion: 3, listedAt: new Date('2026-11-28T10:00:00Z') }),
    );
    await classifyOne(later);
    const { rows } = await sql.query(`SELECT version, "listedAt" FROM papers WHERE "arxivId" = '2410.30003'`);
    expect(rows).toEqual([{ version: 3, listedAt: new Date('2026-11-27T10:00:00Z') }]);
  });

  it('should reject a listing without a usable title with its reason, and report a missing listing', async () => {
    const id = await store('hf', listing({ externalId: 'blank', arxivId: null, title: '   ' }));
    expect(await classifyOne(id)).toBe('rejected');
    const { rows } = await sql.query(
      `SELECT "rejectedReason", "paperId", "classifiedAt" IS NOT NULL AS done FROM listings WHERE id = $1`,
      [id],
    );
    expect(rows[0]).toEqual({ rejectedReason: 'empty title', paperId: null, done: true });
    expect(await classifyOne('00000000-0000-0000-0000-000000000000')).toBe('missing');
    expect(await classifyOne('not-a-listing-id')).toBe('missing');
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
    expect(await classifyOne(id)).toBe('classified');
    const { rows } = await sql.query(`SELECT title FROM papers WHERE title = '大型语言模型的推理能力研究'`);
    expect(rows).toHaveLength(1);
  });
  const paperOf = async (listingId: string): Promise<string | null> =>
    (await sql.query<{ paperId: string | null }>(`SELECT "paperId" FROM listings WHERE id = $1`, [listingId])).rows[0]
      .paperId;
  const paperRow = async (id: string | null): Promise<Record<string, unknown>> =>
    (await sql.query(`SELECT * FROM papers WHERE id = $1`, [id])).rows[0];
  const classify = classifyOne;
  let sequence = 0;
  /** A listing of its own external id, stored and classified; returns the listing id. */
  const classified = async (source: string, overrides: Partial<ParsedListing>): Promise<string> => {
    sequence += 1;
    // A title of its own: listings sharing title and authors are one paper by design.
    const title = `Chain-of-thought reasoning with large language models, study ${sequence}`;
    const id = await store(source, listing({ externalId: `ext-${sequence}`, arxivId: null, title, ...overrides }));
    expect(await classify(id)).toBe('classified');
    return id;
  };

  describe('identity by DOI', () => {
    it('should make one paper of two DOI-only listings classified at the same moment, whatever the DOI form', async () => {
      for (let round = 0; round < 5; round++) {
        const doi = `10.1101/2024.10.${round}.620101`;
        const a = await store(
          'hf',
          listing({
            externalId: `doi-race-a-${round}`,
            arxivId: null,
            doi: `https://doi.org/${doi.toUpperCase()}`,
            title: `Racing title ${round}`,
          }),
        );
        const b = await store(
          'other',
          listing({
            externalId: `doi-race-b-${round}`,
            arxivId: null,
            doi: `doi:${doi}`,
            title: `Another title ${round}`,
          }),
        );
        const outcomes = await Promise.all([classify(a), classify(b)]);
        expect(outcomes).toEqual(['classified', 'classified']);
        const { rows } = await sql.query(`SELECT id FROM papers WHERE doi = $1`, [doi]);
        expect(rows).toHaveLength(1);
        expect(await paperOf(a)).toBe(rows[0].id);
        expect(await paperOf(b)).toBe(rows[0].id);
      }
    });

    it('should fill the DOI of the arXiv paper from a listing with both, and attach later DOI-only listings to it', async () => {
      const first = await classified('hf', { arxivId: '2410.40001' });
      const both = await classified('other', { arxivId: '2410.40001', doi: '10.5802/JEP.257' });
      const journal = await classified('other', {
        doi: 'https://doi.org/10.5802/jep.257',
        title: 'A journal title of its own',
      });
      const paperId = await paperOf(first);
      expect(await paperOf(both)).toBe(paperId);
      expect(await paperOf(journal)).toBe(paperId);
      expect(await paperRow(paperId)).toMatchObject({ arxivId: '2410.40001', doi: '10.5802/jep.257' });
    });

    it('should give the arXiv id to a paper first known only by its DOI', async () => {
      const journal = await classified('other', {
        doi: '10.1000/first-by-doi',
        title: 'Journal version of a preprint',
      });
      const both = await classified('hf', { arxivId: '2410.40002v2', doi: 'doi:10.1000/FIRST-BY-DOI' });
      expect(await paperOf(both)).toBe(await paperOf(journal));
      expect(await paperRow(await paperOf(journal))).toMatchObject({
        arxivId: '2410.40002',
        doi: '10.1000/first-by-doi',
        version: 2,
      });
    });

    it("should read arXiv's DataCite DOI as the arXiv id", async () => {
      const arxiv = await classified('hf', { arxivId: '2410.40003' });
      const datacite = await classified('other', {
        doi: 'https://doi.org/10.48550/arXiv.2410.40003',
        title: 'Different formatting',
      });
      expect(await paperOf(datacite)).toBe(await paperOf(arxiv));
      expect(await paperRow(await paperOf(arxiv))).toMatchObject({ doi: null });
    });

    it('should fold a DOI-only record into the arXiv paper once a listing proves they are one, moving its listings and deliveries', async () => {
      const arxiv = await classified('hf', { arxivId: '2410.40004', title: 'Preprint title', upvotes: 3 });
      const journal = await classified('other', {
        doi: '10.1000/two-records',
        title: 'Journal title, entirely reworded',
        abstract:
          'A longer journal abstract on chain-of-thought reasoning, kept because it says more than the preprint did.',
        upvotes: 8,
      });
      const arxivPaper = await paperOf(arxiv);
      const journalPaper = await paperOf(journal);
      expect(journalPaper).not.toBe(arxivPaper);
      const topicsOf = async (paperId: string | null): Promise<unknown[]> =>
        (await sql.query(`SELECT topic FROM paper_topics WHERE "paperId" = $1`, [paperId])).rows;
      expect(await topicsOf(journalPaper)).not.toEqual([]);
      // s1 was sent the journal record, s2 the preprint, s3 both (the duplicate a subscriber should never have seen).
      const subscriptions = await sql.query<{ id: string }>(
        `INSERT INTO subscriptions (status, frequency, timezone, "sendHour") SELECT 'active', 'daily', 'UTC', 8 FROM generate_series(1, 3) RETURNING id`,
      );
      const [s1, s2, s3] = subscriptions.rows.map((row) => row.id);
      const digests = await sql.query<{ id: string }>(
        `INSERT INTO digests ("subscriptionId", "periodKey", "dueAt", status) SELECT unnest($1::uuid[]), '2026-11-27', now(), 'sent' RETURNING id`,
        [[s1, s2, s3]],
      );
      const [d1, d2, d3] = digests.rows.map((row) => row.id);
      await sql.query(
        `INSERT INTO digest_papers ("digestId", "paperId", "subscriptionId", rank) VALUES ($1, $4, $5, 1), ($2, $6, $7, 1), ($3, $4, $8, 1), ($3, $6, $8, 2)`,
        [d1, d2, d3, journalPaper, s1, arxivPaper, s2, s3],
      );

      const both = await classified('other', {
        arxivId: '2410.40004',
        doi: '10.1000/TWO-RECORDS',
        title: 'Preprint title',
      });

      expect(await paperOf(both)).toBe(arxivPaper);
      expect(await paperOf(journal)).toBe(arxivPaper);
      expect(await paperRow(journalPaper)).toBeUndefined();
      expect(await topicsOf(journalPaper)).toEqual([]);
      expect(await paperRow(arxivPaper)).toMatchObject({
        doi: '10.1000/two-records',
        upvotes: 8,
        abstract:
          'A longer journal abstract on chain-of-thought reasoning, kept because it says more than the preprint did.',
      });
      const ledger = await sql.query(
        `SELECT "subscriptionId", "paperId" FROM digest_papers WHERE "subscriptionId" = ANY($1) ORDER BY "subscriptionId"`,
        [[s1, s2, s3]],
      );
      expect(ledger.rows).toEqual(
        expect.arrayContaining([
          { subscriptionId: s1, paperId: arxivPaper },
          { subscriptionId: s2, paperId: arxivPaper },
          { subscriptionId: s3, paperId: arxivPaper },
        ]),
      );
      expect(ledger.rows).toHaveLength(3);
    });

    it('should move votes to the kept paper and drop the duplicate’s relevance features when two records merge', async () => {
      const arxiv = await classified('hf', { arxivId: '2410.40015', title: 'Sparse attention preprint' });
      const journal = await classified('other', {
        doi: '10.1000/votes-follow',
        title: 'Sparse attention in the journal',
        abstract: 'Journal version on sparse attention kernels.',
      });
      const [arxivPaper, journalPaper] = [await paperOf(arxiv), await paperOf(journal)];
      const documents = async (): Promise<number> =>
        (await sql.query<{ documents: number }>(`SELECT documents FROM term_frequencies WHERE term = ''`)).rows[0]
          .documents;
      const before = await documents();
      // s1 liked the journal record; s2 disliked the preprint and liked the journal record.
      const [s1, s2] = (
        await sql.query<{ id: string }>(
          `INSERT INTO subscriptions (status, frequency, timezone, "sendHour") SELECT 'active', 'daily', 'UTC', 8 FROM generate_series(1, 2) RETURNING id`,
        )
      ).rows.map((row) => row.id);
      await sql.query(
        `INSERT INTO paper_votes ("subscriptionId", "paperId", vote, source, "createdAt", "updatedAt")
         VALUES ($1, $3, 'up', 'site', now(), now()), ($2, $4, 'down', 'site', now(), now()), ($2, $3, 'up', 'seed', now(), now())`,
        [s1, s2, journalPaper, arxivPaper],
      );

      await classified('other', {
        arxivId: '2410.40015',
        doi: '10.1000/votes-follow',
        title: 'Sparse attention preprint',
      });

      expect(await paperOf(journal)).toBe(arxivPaper);
      const votes = await sql.query<{ subscriptionId: string; paperId: string; vote: string }>(
        `SELECT "subscriptionId", "paperId", vote FROM paper_votes WHERE "subscriptionId" = ANY($1::uuid[])`,
        [[s1, s2]],
      );
      expect(votes.rows.map((row) => [row.subscriptionId, row.paperId, row.vote]).sort()).toEqual(
        [
          [s1, arxivPaper, 'up'],
          [s2, arxivPaper, 'down'],
        ].sort(),
      );
      expect((await sql.query(`SELECT 1 FROM paper_features WHERE "paperId" = $1`, [journalPaper])).rows).toEqual([]);
      expect(await documents()).toBe(before - 1);
    });

    it('should leave a DOI that belongs to another arXiv paper where it is', async () => {
      await classified('hf', { arxivId: '2410.40005', doi: '10.1000/claimed' });
      const other = await classified('other', {
        arxivId: '2410.40006',
        doi: '10.1000/claimed',
        title: 'A different paper',
      });
      expect(await paperRow(await paperOf(other))).toMatchObject({ arxivId: '2410.40006', doi: null });
    });
  });

  describe('identity by title and authors', () => {
    const authors = ['Alice Smith', 'Bob Jones', 'Carol Wu'];

    it('should attach a listing without identifiers to the paper with its title key and overlapping authors', async () => {
      const arxiv = await classified('hf', {
        arxivId: '2410.50001',
        title: 'Scaling Laws for Data Filtering',
        authors,
      });
      const blog = await classified('other', {
        title: '[PREPRINT] Scaling laws for data\n  filtering.',
        authors: ['A. Smith', 'C. Wu'],
      });
      const mixing = await classified('other', { title: 'Scaling Laws for Data Mixing', authors });
      const strangers = await classified('other', {
        title: 'Scaling Laws for Data Filtering',
        authors: ['Dan Lee', 'Eve Park'],
      });
      // Others who only share surnames with the authors: Dora Smith and Eli Jones wrote another paper.
      const namesakes = await classified('other', {
        title: 'Scaling Laws for Data Filtering',
        authors: ['Dora Smith', 'Eli Jones'],
      });
      const paperId = await paperOf(arxiv);
      expect(await paperOf(blog)).toBe(paperId);
      expect(await paperOf(mixing)).not.toBe(paperId);
      expect(await paperOf(strangers)).not.toBe(paperId);
      expect(await paperOf(namesakes)).not.toBe(paperId);
      expect(await paperRow(paperId)).toMatchObject({
        title: 'Scaling Laws for Data Filtering',
        titleKey: 'scalinglawsfordatafiltering',
      });
    });

    it('should match LaTeX, Unicode and accents in titles to the same paper', async () => {
      const latex = await classified('hf', {
        arxivId: '2410.50002',
        title: '$\\alpha$-Divergence Preference Optimization for Schr\\"odinger Bridges',
        authors,
      });
      const unicode = await classified('other', {
        title: 'α-Divergence Preference Optimization for Schrödinger Bridges',
        authors: ['Alice Smith'],
      });
      expect(await paperOf(unicode)).toBe(await paperOf(latex));
      // The title without markup is the better one to show.
      expect(await paperRow(await paperOf(latex))).toMatchObject({
        title: 'α-Divergence Preference Optimization for Schrödinger Bridges',
      });
    });

    it('should make a new paper when two papers match equally, rather than guess', async () => {
      const title = 'Ambiguous Results on Benchmark Contamination';
      const one = await classified('other', {
        title,
        authors: ['Alice Smith', 'Bob Jones'],
        doi: '10.1000/ambiguous-1',
      });
      const two = await classified('other', { title, authors: ['Alice Smith', 'Dan Lee'], doi: '10.1000/ambiguous-2' });
      const third = await classified('other', { title, authors: ['Alice Smith'] });
      expect(new Set([await paperOf(one), await paperOf(two), await paperOf(third)]).size).toBe(3);
    });

    it('should never attach a listing to a paper with another arXiv id, however alike the titles', async () => {
      const first = await classified('hf', {
        arxivId: '2410.50003',
        title: 'Technical Report on Model Merging',
        authors,
      });
      const second = await classified('hf', {
        arxivId: '2410.50004',
        title: 'Technical Report on Model Merging',
        authors,
      });
      expect(await paperOf(second)).not.toBe(await paperOf(first));
    });

    it('should give a DOI-only listing to the arXiv paper it clearly matches, filling its DOI', async () => {
      const arxiv = await classified('hf', {
        arxivId: '2410.50005',
        title: 'Sparse Attention with Linear Memory',
        authors,
      });
      const journal = await classified('other', {
        doi: '10.1000/sparse-attention',
        title: 'Sparse attention with linear memory',
        authors,
      });
      expect(await paperOf(journal)).toBe(await paperOf(arxiv));
      expect(await paperRow(await paperOf(arxiv))).toMatchObject({ doi: '10.1000/sparse-attention' });
    });

    it('should give an arXiv listing to the paper a feed without identifiers created first', async () => {
      const blog = await classified('other', { title: 'Registers for Vision Transformers, Revisited', authors });
      const arxiv = await classified('hf', {
        arxivId: '2410.50006',
        title: 'Registers for Vision Transformers, Revisited',
        authors,
      });
      expect(await paperOf(arxiv)).toBe(await paperOf(blog));
      expect(await paperRow(await paperOf(blog))).toMatchObject({ arxivId: '2410.50006' });
    });

    it('should make one paper of two listings without identifiers classified at the same moment', async () => {
      for (let round = 0; round < 5; round++) {
        const title = `Concurrent Matching of Untitled Things, Part ${round}`;
        const a = await store('hf', listing({ externalId: `title-race-a-${round}`, arxivId: null, title, authors }));
        const b = await store(
          'other',
          listing({ externalId: `title-race-b-${round}`, arxivId: null, title: `[v2] ${title}`, authors }),
        );
        await Promise.all([classify(a), classify(b)]);
        expect(await paperOf(a)).toBe(await paperOf(b));
      }
    });

    it('should store a title key on every paper it makes', async () => {
      const { rows } = await sql.query(`SELECT count(*)::int AS n FROM papers WHERE "titleKey" IS NULL`);
      expect(rows[0].n).toBe(0);
    });
  });

  describe('versions', () => {
    it('should make the relevance features again from a replacement’s new text', async () => {
      const v1 = await classified('hf', {
        arxivId: '2410.60011',
        arxivVersion: 1,
        title: 'Sparse kernels',
        abstract: 'Transformers with sparse attention kernels.',
      });
      const termsOf = async (): Promise<string[]> =>
        (
          await sql.query<{ terms: string[] }>(`SELECT terms FROM paper_features WHERE "paperId" = $1`, [
            await paperOf(v1),
          ])
        ).rows[0].terms;
      const documents = async (term: string): Promise<number> =>
        (await sql.query<{ documents: number }>(`SELECT documents FROM term_frequencies WHERE term = $1`, [term]))
          .rows[0]?.documents ?? 0;
      expect(await termsOf()).toContain('transformer');
      const before = { all: await documents(''), mamba: await documents('mamba') };
      await classified('other', {
        arxivId: '2410.60011v2',
        announceType: 'replace',
        title: 'Sparse kernels',
        abstract: 'Mamba layers with sparse state kernels.',
      });
      expect(await termsOf()).toContain('mamba');
      expect(await termsOf()).not.toContain('transformer');
      expect({ all: await documents(''), mamba: await documents('mamba') }).toEqual({
        all: before.all,
        mamba: before.mamba + 1,
      });
    });

    it('should update the version, text and dates on a replacement, never making a new paper', async () => {
      const v1 = await classified('hf', {
        arxivId: '2410.60001',
        arxivVersion: 1,
        abstract: 'The first version of the abstract, long and a little wordy.',
        listedAt: new Date('2026-11-20T10:00:00Z'),
      });
      const before = await paperRow(await paperOf(v1));
      const v2 = await classified('other', {
        arxivId: 'oai:arXiv.org:2410.60001v2',
        announceType: 'replace',
        abstract: 'A tighter second version.',
        title: 'Chain-of-thought reasoning with large language models, revised',
        listedAt: new Date('2026-11-27T10:00:00Z'),
      });
      expect(await paperOf(v2)).toBe(await paperOf(v1));
      const after = await paperRow(await paperOf(v1));
      expect(after).toMatchObject({
        version: 2,
        abstract: 'A tighter second version.',
        title: 'Chain-of-thought reasoning with large language models, revised',
        listedAt: new Date('2026-11-20T10:00:00Z'),
      });
      expect((after.updatedAt as Date).getTime()).toBeGreaterThan((before.updatedAt as Date).getTime());
      // An older version arriving late changes nothing.
      await classified('other', {
        arxivId: '2410.60001v1',
        abstract: 'The first version of the abstract, long and a little wordy.',
      });
      expect(await paperRow(await paperOf(v1))).toMatchObject({ version: 2, abstract: 'A tighter second version.' });
    });

    it('should file a replacement of a paper never seen before under its publication, not as news', async () => {
      const replaced = await classified('other', {
        arxivId: '2301.00001v4',
        announceType: 'replace-cross',
        publishedAt: new Date('2023-01-02T00:00:00Z'),
        listedAt: new Date('2026-11-27T10:00:00Z'),
      });
      expect(await paperRow(await paperOf(replaced))).toMatchObject({
        version: 4,
        listedAt: new Date('2023-01-02T00:00:00Z'),
      });
    });
    it("should bring a revision's text to a paper first listed without a version, and keep it from older text", async () => {
      // Hugging Face lists arXiv ids without a version: the paper's version is unknown until arXiv says.
      const fromHf = await classified('hf', {
        arxivId: '2410.60002',
        title: 'A first title of the paper',
        abstract: 'The first version of the abstract, long and a little wordy, as Hugging Face listed it.',
      });
      expect(await paperRow(await paperOf(fromHf))).toMatchObject({ version: null });
      await classified('other', {
        arxivId: 'oai:arXiv.org:2410.60002v2',
        announceType: 'replace',
        title: 'A revised title of the paper',
        abstract: 'A tighter second version.',
      });
      // Hugging Face's listing of another day still shows the first text: it no longer wins by length.
      await classified('other', {
        arxivId: '2410.60002',
        title: 'A first title of the paper',
        abstract: 'The first version of the abstract, long and a little wordy, as Hugging Face listed it.',
        upvotes: 30,
      });
      expect(await paperRow(await paperOf(fromHf))).toMatchObject({
        version: 2,
        title: 'A revised title of the paper',
        abstract: 'A tighter second version.',
        upvotes: 30,
      });
    });
  });

  describe('metadata across sources', () => {
    it('should merge the best of each source into the paper and tag it from the merged text', async () => {
      const hf = await classified('hf', {
        arxivId: '2410.70001',
        title: 'Scaling for Contrastive Loss',
        abstract: 'Short HF abstract.',
        authors: ['A. Smith', 'B. Jones'],
        upvotes: 42,
        keywords: ['contrastive learning'],
        summary: 'An AI summary.',
        url: 'https://huggingface.co/papers/2410.70001',
        codeUrl: 'https://github.com/x/contrastive',
      });
      await classified('other', {
        arxivId: 'arXiv:2410.70001v1 [cs.CV]',
        title: 'Scaling for\n  Contrastive Loss',
        abstract: 'A longer abstract from the arXiv feed about scaling contrastive pretraining for object detection.',
        authors: ['Alice Smith', 'Bob Jones'],
        upvotes: null,
        categories: ['cs.CV', 'cs.LG'],
        projectUrl: 'https://example.org/contrastive',
      });
      const paper = await paperRow(await paperOf(hf));
      expect(paper).toMatchObject({
        title: 'Scaling for Contrastive Loss',
        abstract: 'A longer abstract from the arXiv feed about scaling contrastive pretraining for object detection.',
        authors: ['Alice Smith', 'Bob Jones'],
        upvotes: 42,
        keywords: ['contrastive learning'],
        categories: ['cs.CV', 'cs.LG'],
        summary: 'An AI summary.',
        url: 'https://huggingface.co/papers/2410.70001',
        codeUrl: 'https://github.com/x/contrastive',
        projectUrl: 'https://example.org/contrastive',
        version: 1,
      });
      const topics = await sql.query(`SELECT topic, evidence FROM paper_topics WHERE "paperId" = $1`, [paper.id]);
      // The phrase that tags it came with the second source's abstract.
      expect(topics.rows).toContainEqual({
        topic: 'vision',
        evidence: expect.arrayContaining([expect.stringContaining('object detection')]),
      });
    });
  });

  describe('bad input', () => {
    it.each([
      [{ arxivId: 'arXiv:24xx.1' }, 'unparseable arXiv id "arXiv:24xx.1" (expected e.g. 2410.17243 or hep-th/9901001)'],
      [{ doi: 'n/a' }, 'unparseable DOI "n/a" (expected 10.<registrant>/<suffix>)'],
    ])('should reject a listing with an unreadable identifier %j, naming it', async (overrides, reason) => {
      sequence += 1;
      const id = await store('hf', listing({ externalId: `bad-${sequence}`, arxivId: null, ...overrides }));
      expect(await classify(id)).toBe('rejected');
      const { rows } = await sql.query(`SELECT "rejectedReason", "paperId" FROM listings WHERE id = $1`, [id]);
      expect(rows[0]).toEqual({ rejectedReason: reason, paperId: null });
    });

    it('should store an item a page lists twice once, even when the copies differ only by a NUL', async () => {
      const stored = await app
        .get(ListingRepository)
        .store('hf', runId, [
          listing({ externalId: 'twin', arxivId: '2410.80002', upvotes: 1 }),
          listing({ externalId: 'twin\u0000', arxivId: '2410.80002', upvotes: 2 }),
        ]);
      expect(stored.inserted).toHaveLength(1);
      const { rows } = await sql.query(`SELECT upvotes FROM listings WHERE "externalId" = 'twin'`);
      expect(rows).toEqual([{ upvotes: 1 }]);
    });

    it('should not mark the refreshed details classified when the batch merged the old ones', async () => {
      const listings = app.get(ListingRepository);
      const fresh = listing({ externalId: 'refreshed', arxivId: '2410.80003', upvotes: 5 });
      const {
        inserted: [id],
      } = await listings.store('hf', runId, [fresh]);

      // The fetcher refreshes the listing (upvotes 5 -> 99) while the classify batch that read it is
      // between its read and its claim (the tagger runs in between).
      const tagger = app.get(TopicTagger);
      const original = tagger.tag.bind(tagger);
      let refreshed: string[] = [];
      const spy = jest.spyOn(tagger, 'tag').mockImplementationOnce(async (papers) => {
        ({ refreshed } = await listings.store('hf', runId, [{ ...fresh, upvotes: 99 }]));
        return original(papers);
      });

      await app.get(ClassifierService).classifyBatch([id]);
      spy.mockRestore();
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

    it('should merge a listing once when its job runs twice at the same moment', async () => {
      const id = await store('hf', listing({ externalId: 'twice', arxivId: '2410.80001', upvotes: 4 }));
      const outcomes = await Promise.all([classify(id), classify(id)]);
      expect(outcomes.sort()).toEqual(['classified', 'skipped']);
    });
  });
  describe('search vector', () => {
    it('should follow the title and abstract a new version brings, and stay as it is when only upvotes change', async () => {
      const first = await classified('hf', {
        arxivId: '2411.30001',
        arxivVersion: 1,
        abstract: 'An abstract about photosynthesis.',
      });
      const paperId = await paperOf(first);
      const found = async (query: string): Promise<boolean> =>
        (
          await sql.query(
            `SELECT 1 FROM papers WHERE id = $1 AND "searchVector" @@ websearch_to_tsquery('english', $2)`,
            [paperId, query],
          )
        ).rows.length === 1;
      expect(await found('photosynthesis')).toBe(true);
      const vector = async (): Promise<string> =>
        (await sql.query(`SELECT "searchVector"::text AS v FROM papers WHERE id = $1`, [paperId])).rows[0].v;
      const before = await vector();
      await classified('other', { arxivId: '2411.30001', arxivVersion: 1, upvotes: 50, abstract: 'Short.' });
      expect(await paperRow(paperId)).toMatchObject({ upvotes: 50 });
      expect(await vector()).toBe(before);
      await classified('other', { arxivId: '2411.30001v2', abstract: 'A second version about chlorophyll.' });
      expect(await found('chlorophyll')).toBe(true);
      expect(await found('photosynthesis')).toBe(false);
    });
  });

  describe('batches', () => {
    const authors = ['Alice Smith', 'Bob Jones'];
    const classifyBatch = (ids: string[]): Promise<Map<string, ListingOutcome>> =>
      app.get(ClassifierService).classifyBatch(ids);

    it('should merge the listings of one paper within a batch and reject bad ones without failing the rest', async () => {
      // A title no other test uses: papers of earlier tests with the default title would make the blog
      // listing's title match ambiguous, and which of them the merge reads first is not fixed.
      const title = 'Batched chain-of-thought reasoning with large language models';
      const ids = [
        await store(
          'hf',
          listing({ externalId: 'b-v1', arxivId: '2411.10001', arxivVersion: 1, upvotes: 2, authors, title }),
        ),
        await store(
          'other',
          listing({
            externalId: 'b-v2',
            arxivId: '2411.10001v2',
            upvotes: 7,
            doi: '10.1000/batch-both',
            authors,
            title,
          }),
        ),
        await store(
          'other',
          listing({
            externalId: 'b-blog',
            arxivId: null,
            title: `[PREPRINT] ${title}`,
            authors: ['A. Smith'],
          }),
        ),
        await store('other', listing({ externalId: 'b-journal', arxivId: null, doi: 'doi:10.1000/BATCH-BOTH', title })),
        await store('hf', listing({ externalId: 'b-empty', arxivId: null, title: '' })),
        await store('hf', listing({ externalId: 'b-bad-id', arxivId: 'not an id' })),
        await store(
          'hf',
          listing({
            externalId: 'b-huge',
            arxivId: '2411.10002',
            title: 'Ein Titel in einer anderen Sprache',
            abstract: 'абзац '.repeat(200_000),
          }),
        ),
      ];
      const outcomes = await classifyBatch(ids);
      expect([...outcomes.values()]).toEqual([
        'classified',
        'classified',
        'classified',
        'classified',
        'rejected',
        'rejected',
        'classified',
      ]);
      const paperIds: (string | null)[] = [];
      for (const id of ids) {
        paperIds.push(await paperOf(id));
      }
      expect(new Set(paperIds.slice(0, 4)).size).toBe(1);
      expect(paperIds.slice(4, 6)).toEqual([null, null]);
      expect(await paperRow(paperIds[0])).toMatchObject({
        arxivId: '2411.10001',
        doi: '10.1000/batch-both',
        version: 2,
        upvotes: 7,
      });
      const topics = await sql.query(`SELECT topic FROM paper_topics WHERE "paperId" = $1`, [paperIds[0]]);
      expect(topics.rows.map((row) => row.topic)).toEqual(expect.arrayContaining(['llm', 'reasoning']));
      const { rows } = await sql.query(
        `SELECT "rejectedReason" FROM listings WHERE id = ANY($1) ORDER BY "externalId"`,
        [ids.slice(4, 6)],
      );
      expect(rows.map((row) => row.rejectedReason)).toEqual([
        expect.stringContaining('unparseable arXiv id "not an id"'),
        'empty title',
      ]);
      // A second run of the same batch changes nothing.
      expect([...(await classifyBatch(ids)).values()]).toEqual(ids.map(() => 'skipped'));
    });

    it('should reject a listing the database refuses with its reason and store the rest of the batch', async () => {
      // A rule only this test's database has stands in for whatever a real database may refuse.
      await sql.query(`ALTER TABLE papers ADD CONSTRAINT refuse_for_test CHECK (title <> 'Refused by the database')`);
      try {
        const good = await store('hf', listing({ externalId: 'refused-ok', arxivId: '2411.20001' }));
        const refused = await store(
          'hf',
          listing({ externalId: 'refused', arxivId: '2411.20002', title: 'Refused by the database' }),
        );
        const outcomes = await classifyBatch([good, refused]);
        expect(outcomes.get(good)).toBe('classified');
        expect(outcomes.get(refused)).toBe('rejected');
        const { rows } = await sql.query(`SELECT "rejectedReason", "paperId" FROM listings WHERE id = $1`, [refused]);
        expect(rows[0]).toEqual({
          rejectedReason: expect.stringMatching(/^could not be stored: .*violates check constraint "refuse_for_test"/),
          paperId: null,
        });
        expect(await paperOf(good)).not.toBeNull();
      } finally {
        await sql.query(`ALTER TABLE papers DROP CONSTRAINT refuse_for_test`);
      }
    });

    it('should reject an arXiv version no paper has, without failing the batch', async () => {
      const absurd = await store('hf', listing({ externalId: 'absurd', arxivId: '2411.20003v99999999999' }));
      expect((await classifyBatch([absurd])).get(absurd)).toBe('rejected');
      const { rows } = await sql.query(`SELECT "rejectedReason" FROM listings WHERE id = $1`, [absurd]);
      expect(rows[0].rejectedReason).toContain('unparseable arXiv id "2411.20003v99999999999"');
    });

    it('should make one paper of each paper when two batches sharing papers are classified at the same moment', async () => {
      for (let round = 0; round < 4; round++) {
        const make = async (side: string): Promise<string[]> => {
          const ids: string[] = [];
          for (let i = 0; i < 30; i++) {
            const title = `Shared Paper ${round}-${i} on Concurrent Batches`;
            const kind = i % 3;
            ids.push(
              await store(
                side === 'a' ? 'hf' : 'other',
                listing({
                  externalId: `race-${round}-${i}-${side}`,
                  arxivId: kind === 0 ? `2412.${String(round * 100 + i).padStart(5, '0')}` : null,
                  doi: kind === 1 ? `10.1000/race-${round}-${i}` : null,
                  title: side === 'a' ? title : `${title}.`,
                  authors,
                }),
              ),
            );
          }
          return ids;
        };
        const a = await make('a');
        const b = await make('b');
        const [first, second] = await Promise.all([classifyBatch(a), classifyBatch(b)]);
        expect([...first.values(), ...second.values()].every((outcome) => outcome === 'classified')).toBe(true);
        for (let i = 0; i < 30; i++) {
          expect(await paperOf(b[i])).toBe(await paperOf(a[i]));
        }
        const papers = new Set<string | null>();
        for (const id of a) {
          papers.add(await paperOf(id));
        }
        expect(papers.size).toBe(30);
      }
    });
  });
});
