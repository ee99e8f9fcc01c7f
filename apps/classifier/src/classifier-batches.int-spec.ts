import { ClassifierService } from './classifier.service';
import { useClassifierContext } from '../../../test/support/classifier-context';

/** A batch merges its listings set-based, rejecting only the bad ones, and concurrent batches agree. */
describe(`${ClassifierService.name}: batches`, () => {
  const ctx = useClassifierContext('classifier-batches');
  const { listing, store, paperOf, paperRow, classifyBatch } = ctx;

  describe('batches', () => {
    const authors = ['Alice Smith', 'Bob Jones'];

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
      const topics = await ctx.sql.query(`SELECT topic FROM paper_topics WHERE "paperId" = $1`, [paperIds[0]]);
      expect(topics.rows.map((row) => row.topic)).toEqual(expect.arrayContaining(['llm', 'reasoning']));
      const { rows } = await ctx.sql.query(
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
      await ctx.sql.query(
        `ALTER TABLE papers ADD CONSTRAINT refuse_for_test CHECK (title <> 'Refused by the database')`,
      );
      try {
        const good = await store('hf', listing({ externalId: 'refused-ok', arxivId: '2411.20001' }));
        const refused = await store(
          'hf',
          listing({ externalId: 'refused', arxivId: '2411.20002', title: 'Refused by the database' }),
        );
        const outcomes = await classifyBatch([good, refused]);
        expect(outcomes.get(good)).toBe('classified');
        expect(outcomes.get(refused)).toBe('rejected');
        const { rows } = await ctx.sql.query(`SELECT "rejectedReason", "paperId" FROM listings WHERE id = $1`, [
          refused,
        ]);
        expect(rows[0]).toEqual({
          rejectedReason: expect.stringMatching(/^could not be stored: .*violates check constraint "refuse_for_test"/),
          paperId: null,
        });
        expect(await paperOf(good)).not.toBeNull();
      } finally {
        await ctx.sql.query(`ALTER TABLE papers DROP CONSTRAINT refuse_for_test`);
      }
    });

    it('should reject an arXiv version no paper has, without failing the batch', async () => {
      const absurd = await store('hf', listing({ externalId: 'absurd', arxivId: '2411.20003v99999999999' }));
      expect((await classifyBatch([absurd])).get(absurd)).toBe('rejected');
      const { rows } = await ctx.sql.query(`SELECT "rejectedReason" FROM listings WHERE id = $1`, [absurd]);
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
