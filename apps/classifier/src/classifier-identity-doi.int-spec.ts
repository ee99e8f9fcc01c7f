import { ClassifierService } from './classifier.service';
import { useClassifierContext } from '../../../test/support/classifier-context';

/** One paper per DOI, whatever its form, folded into the arXiv paper once a listing proves they are one. */
describe(`${ClassifierService.name}: doi`, () => {
  const ctx = useClassifierContext('classifier-doi');
  const { listing, store, classifyOne, classified, paperOf, paperRow } = ctx;

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
        const outcomes = await Promise.all([classifyOne(a), classifyOne(b)]);
        expect(outcomes).toEqual(['classified', 'classified']);
        const { rows } = await ctx.sql.query(`SELECT id FROM papers WHERE doi = $1`, [doi]);
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
        (await ctx.sql.query(`SELECT topic FROM paper_topics WHERE "paperId" = $1`, [paperId])).rows;
      expect(await topicsOf(journalPaper)).not.toEqual([]);
      // s1 was sent the journal record, s2 the preprint, s3 both (the duplicate a subscriber should never have seen).
      const subscriptions = await ctx.sql.query<{ id: string }>(
        `INSERT INTO subscriptions (status, frequency, timezone, "sendHour") SELECT 'active', 'daily', 'UTC', 8 FROM generate_series(1, 3) RETURNING id`,
      );
      const [s1, s2, s3] = subscriptions.rows.map((row) => row.id);
      const digests = await ctx.sql.query<{ id: string }>(
        `INSERT INTO digests ("subscriptionId", "periodKey", "dueAt", status) SELECT unnest($1::uuid[]), '2026-11-27', now(), 'sent' RETURNING id`,
        [[s1, s2, s3]],
      );
      const [d1, d2, d3] = digests.rows.map((row) => row.id);
      await ctx.sql.query(
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
      const ledger = await ctx.sql.query(
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
        (await ctx.sql.query<{ documents: number }>(`SELECT documents FROM term_frequencies WHERE term = ''`)).rows[0]
          .documents;
      const before = await documents();
      // s1 liked the journal record; s2 disliked the preprint and liked the journal record.
      const [s1, s2] = (
        await ctx.sql.query<{ id: string }>(
          `INSERT INTO subscriptions (status, frequency, timezone, "sendHour") SELECT 'active', 'daily', 'UTC', 8 FROM generate_series(1, 2) RETURNING id`,
        )
      ).rows.map((row) => row.id);
      await ctx.sql.query(
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
      const votes = await ctx.sql.query<{ subscriptionId: string; paperId: string; vote: string }>(
        `SELECT "subscriptionId", "paperId", vote FROM paper_votes WHERE "subscriptionId" = ANY($1::uuid[])`,
        [[s1, s2]],
      );
      expect(votes.rows.map((row) => [row.subscriptionId, row.paperId, row.vote]).sort()).toEqual(
        [
          [s1, arxivPaper, 'up'],
          [s2, arxivPaper, 'down'],
        ].sort(),
      );
      expect((await ctx.sql.query(`SELECT 1 FROM paper_features WHERE "paperId" = $1`, [journalPaper])).rows).toEqual(
        [],
      );
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
});
