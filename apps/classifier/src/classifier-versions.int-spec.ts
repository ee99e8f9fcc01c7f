import { ClassifierService } from './classifier.service';
import { useClassifierContext } from '../../../test/support/classifier-context';

/** A new arXiv version revises its paper (text, dates, features, search vector); it never makes another. */
describe(`${ClassifierService.name}: versions`, () => {
  const ctx = useClassifierContext('classifier-versions');
  const { classified, paperOf, paperRow } = ctx;

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
          await ctx.sql.query<{ terms: string[] }>(`SELECT terms FROM paper_features WHERE "paperId" = $1`, [
            await paperOf(v1),
          ])
        ).rows[0].terms;
      const documents = async (term: string): Promise<number> =>
        (await ctx.sql.query<{ documents: number }>(`SELECT documents FROM term_frequencies WHERE term = $1`, [term]))
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
          await ctx.sql.query(
            `SELECT 1 FROM papers WHERE id = $1 AND "searchVector" @@ websearch_to_tsquery('english', $2)`,
            [paperId, query],
          )
        ).rows.length === 1;
      expect(await found('photosynthesis')).toBe(true);
      const vector = async (): Promise<string> =>
        (await ctx.sql.query(`SELECT "searchVector"::text AS v FROM papers WHERE id = $1`, [paperId])).rows[0].v;
      const before = await vector();
      await classified('other', { arxivId: '2411.30001', arxivVersion: 1, upvotes: 50, abstract: 'Short.' });
      expect(await paperRow(paperId)).toMatchObject({ upvotes: 50 });
      expect(await vector()).toBe(before);
      await classified('other', { arxivId: '2411.30001v2', abstract: 'A second version about chlorophyll.' });
      expect(await found('chlorophyll')).toBe(true);
      expect(await found('photosynthesis')).toBe(false);
    });
  });
});
