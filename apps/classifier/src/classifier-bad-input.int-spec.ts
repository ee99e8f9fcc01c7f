import { ListingRepository } from '@libs/database';
import { ClassifierService } from './classifier.service';
import { TopicTagger } from './topic-tagger';
import { useClassifierContext } from '../../../test/support/classifier-context';

/** Listings that are repeated, refreshed mid-batch or classified twice at once still make one paper. */
describe(`${ClassifierService.name}: bad input`, () => {
  const ctx = useClassifierContext('classifier-bad-input');
  const { listing, store, classifyOne } = ctx;

  describe('bad input', () => {
    let sequence = 0;

    it.each([
      [{ arxivId: 'arXiv:24xx.1' }, 'unparseable arXiv id "arXiv:24xx.1" (expected e.g. 2410.17243 or hep-th/9901001)'],
      [{ doi: 'n/a' }, 'unparseable DOI "n/a" (expected 10.<registrant>/<suffix>)'],
    ])('should reject a listing with an unreadable identifier %j, naming it', async (overrides, reason) => {
      sequence += 1;
      const id = await store('hf', listing({ externalId: `bad-${sequence}`, arxivId: null, ...overrides }));
      expect(await classifyOne(id)).toBe('rejected');
      const { rows } = await ctx.sql.query(`SELECT "rejectedReason", "paperId" FROM listings WHERE id = $1`, [id]);
      expect(rows[0]).toEqual({ rejectedReason: reason, paperId: null });
    });

    it('should store an item a page lists twice once, even when the copies differ only by a NUL', async () => {
      const stored = await ctx.app
        .get(ListingRepository)
        .store('hf', ctx.runId, [
          listing({ externalId: 'twin', arxivId: '2410.80002', upvotes: 1 }),
          listing({ externalId: 'twin\u0000', arxivId: '2410.80002', upvotes: 2 }),
        ]);
      expect(stored.inserted).toHaveLength(1);
      const { rows } = await ctx.sql.query(`SELECT upvotes FROM listings WHERE "externalId" = 'twin'`);
      expect(rows).toEqual([{ upvotes: 1 }]);
    });

    it('should not mark the refreshed details classified when the batch merged the old ones', async () => {
      const listings = ctx.app.get(ListingRepository);
      const fresh = listing({ externalId: 'refreshed', arxivId: '2410.80003', upvotes: 5 });
      const {
        inserted: [id],
      } = await listings.store('hf', ctx.runId, [fresh]);

      // The fetcher refreshes the listing (upvotes 5 -> 99) while the classify batch that read it is
      // between its read and its claim (the tagger runs in between).
      const tagger = ctx.app.get(TopicTagger);
      const original = tagger.tag.bind(tagger);
      let refreshed: string[] = [];
      const spy = jest.spyOn(tagger, 'tag').mockImplementationOnce(async (papers) => {
        ({ refreshed } = await listings.store('hf', ctx.runId, [{ ...fresh, upvotes: 99 }]));
        return original(papers);
      });

      await ctx.app.get(ClassifierService).classifyBatch([id]);
      spy.mockRestore();
      expect(refreshed).toEqual([id]);

      const [row] = (
        await ctx.sql.query<{ upvotes: number; classifiedAt: Date | null; paperUpvotes: number }>(
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
      const outcomes = await Promise.all([classifyOne(id), classifyOne(id)]);
      expect(outcomes.sort()).toEqual(['classified', 'skipped']);
    });
  });
});
