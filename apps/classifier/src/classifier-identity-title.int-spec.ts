import { ClassifierService } from './classifier.service';
import { useClassifierContext } from '../../../test/support/classifier-context';

/** Listings without identifiers find their paper by title key and overlapping authors, or make a new one rather than guess. */
describe(`${ClassifierService.name}: title`, () => {
  const ctx = useClassifierContext('classifier-title');
  const { listing, store, classifyOne, classified, paperOf, paperRow } = ctx;

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
        await Promise.all([classifyOne(a), classifyOne(b)]);
        expect(await paperOf(a)).toBe(await paperOf(b));
      }
    });

    it('should store a title key on every paper it makes', async () => {
      const { rows } = await ctx.sql.query(`SELECT count(*)::int AS n FROM papers WHERE "titleKey" IS NULL`);
      expect(rows[0].n).toBe(0);
    });
  });
});
