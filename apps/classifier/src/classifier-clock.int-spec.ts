import { ClassifierService } from './classifier.service';
import { useClassifierContext } from '../../../test/support/classifier-context';
import { testInstant } from '../../../test/support/test-clock';

const DAY_MS = 24 * 3_600_000;

/** A batch is classified at the injected Clock's instant, not the wall clock's. */
describe(`${ClassifierService.name}: clock`, () => {
  // A month before the test instant: far from the wall clock and from a shifted test clock alike.
  const clockStart = new Date(testInstant().getTime() - 30 * DAY_MS);
  const ctx = useClassifierContext('classifier_clock', { CLOCK_START: clockStart.toISOString() });

  it("should mark the paper ready and the listing classified at the clock's instant", async () => {
    const id = await ctx.store('hf', ctx.listing({ externalId: '2410.70001', arxivId: '2410.70001' }));
    expect(await ctx.classifyOne(id)).toBe('classified');
    const { rows } = await ctx.sql.query<{ readyAt: Date; classifiedAt: Date }>(
      `SELECT p."readyAt", l."classifiedAt" FROM listings l JOIN papers p ON p.id = l."paperId" WHERE l.id = $1`,
      [id],
    );
    expect(rows).toHaveLength(1);
    // The clock runs on at real speed from its start: the batch took well under a day.
    for (const at of [rows[0].readyAt, rows[0].classifiedAt]) {
      expect(at.getTime()).toBeGreaterThanOrEqual(clockStart.getTime());
      expect(at.getTime()).toBeLessThan(clockStart.getTime() + DAY_MS);
    }
  });
});
