import { ClassifierService } from './classifier.service';
import { useClassifierContext } from '../../../test/support/classifier-context';

/** Listings become canonical, tagged papers in real Postgres. */
describe(`${ClassifierService.name}: classifier`, () => {
  const ctx = useClassifierContext('classifier');
  const { listing, store, classifyOne } = ctx;

  it('should make one ready, tagged paper of one listing, and skip it the second time', async () => {
    const id = await store('hf', listing({ externalId: '2410.10001', arxivId: '2410.10001' }));
    expect(await classifyOne(id)).toBe('classified');
    expect(await classifyOne(id)).toBe('skipped');
    const { rows } = await ctx.sql.query(
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
      (await ctx.sql.query<{ documents: number }>(`SELECT documents FROM term_frequencies WHERE term = $1`, [term]))
        .rows[0]?.documents;
    const { rows } = await ctx.sql.query<{ terms: string[]; counts: number[] }>(
      `SELECT f.terms, f.counts FROM paper_features f JOIN papers p ON p.id = f."paperId" WHERE p."arxivId" = '2410.20001'`,
    );
    expect(rows).toHaveLength(1);
    // Title words count twice; the author is a feature of their own.
    expect(rows[0].counts[rows[0].terms.indexOf('parallel decoding')]).toBe(2);
    expect(rows[0].terms).toContain('author:lovelace a');
    const before = { all: await documents(''), term: await documents('parallel decoding') };
    expect(before.term).toBeGreaterThanOrEqual(1);

    // Nothing left to featurize: a second pass (another batch, a retried job) counts nothing again.
    expect(await ctx.app.get(ClassifierService).featurizeReady()).toEqual([]);
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
    const { rows } = await ctx.sql.query(
      `SELECT id, version, upvotes, "codeUrl" FROM papers WHERE "arxivId" = '2410.20002'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ version: 2, upvotes: 9, codeUrl: 'https://github.com/x/y' });
    const listings = await ctx.sql.query(`SELECT DISTINCT "paperId" FROM listings WHERE "arxivId" = '2410.20002'`);
    expect(listings.rows).toEqual([{ paperId: rows[0].id }]);
  });

  it('should store a new paper with its texts tidied, whichever of them tidying changed', async () => {
    const ids = [
      await store('hf', listing({ externalId: '2410.90001', arxivId: '2410.90001', title: 'Scaling for\n  Loss' })),
      await store('hf', listing({ externalId: '2410.90002', arxivId: '2410.90002', abstract: ' Wrapped\nabstract. ' })),
      await store('hf', listing({ externalId: '2410.90003', arxivId: '2410.90003', authors: ['Ada', ' Ada ', 'Bo'] })),
      await store('hf', listing({ externalId: '2410.90004', arxivId: '2410.90004', title: 'As listed' })),
    ];
    const outcomes = await ctx.app.get(ClassifierService).classifyBatch(ids);
    expect([...outcomes.values()]).toEqual(['classified', 'classified', 'classified', 'classified']);
    const { rows } = await ctx.sql.query(
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
    const { rows } = await ctx.sql.query(`SELECT version, "listedAt" FROM papers WHERE "arxivId" = '2410.30003'`);
    expect(rows).toEqual([{ version: 3, listedAt: new Date('2026-11-27T10:00:00Z') }]);
  });

  it('should reject a listing without a usable title with its reason, and report a missing listing', async () => {
    const id = await store('hf', listing({ externalId: 'blank', arxivId: null, title: '   ' }));
    expect(await classifyOne(id)).toBe('rejected');
    const { rows } = await ctx.sql.query(
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
    const { rows } = await ctx.sql.query(`SELECT title FROM papers WHERE title = '大型语言模型的推理能力研究'`);
    expect(rows).toHaveLength(1);
  });
});
