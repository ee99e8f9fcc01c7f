import { mergePaperMetadata, PaperMetadata } from '../papers/paper-merge';
import { earliestListingAnyWindowReads, MIN_RETENTION_DAYS, retentionCutoff } from './retention';
import { digestWindow, MAX_LOOKBACK_DAYS } from './schedule';

const DAY = 24 * 3600_000;
const now = new Date('2026-11-18T10:30:00Z');
const daysBefore = (instant: Date, days: number): Date => new Date(instant.getTime() - days * DAY);

describe('retentionCutoff', () => {
  it('should put the cutoff the retention before now', () => {
    expect(retentionCutoff(now, 400)).toEqual(daysBefore(now, 400));
  });

  it('should refuse a retention shorter than the furthest a digest looks back, with margin', () => {
    expect(() => retentionCutoff(now, MIN_RETENTION_DAYS - 1)).toThrow(/at least 60 days/);
    expect(MIN_RETENTION_DAYS).toBeGreaterThan(2 * Math.max(...Object.values(MAX_LOOKBACK_DAYS)));
  });

  // The proof's window side: whatever a subscription's history, no digest planned now or later reads a
  // paper listed before earliestListingAnyWindowReads(now), which is after any allowed cutoff.
  const frequencies = ['daily', 'weekly', 'paused'] as const;
  const previousEnds = [null, daysBefore(now, 1), daysBefore(now, 13), daysBefore(now, 30), daysBefore(now, 900)];
  const resumes = [null, daysBefore(now, 0.5), daysBefore(now, 20), daysBefore(now, 700)];
  const asOfs = [now, new Date(now.getTime() + 3600_000), new Date(now.getTime() + 45 * DAY)];
  const cases = frequencies.flatMap((frequency) =>
    previousEnds.flatMap((previousEnd) =>
      resumes.flatMap((resumedAt) => asOfs.map((asOf) => ({ frequency, previousEnd, resumedAt, asOf }))),
    ),
  );

  it.each(cases)(
    'should never read a listing from before the cutoff: $frequency, previous end $previousEnd, resumed $resumedAt, as of $asOf',
    ({ frequency, previousEnd, resumedAt, asOf }) => {
      const window = digestWindow(frequency, asOf, previousEnd, resumedAt);
      expect(window.listedAfter.getTime()).toBeGreaterThanOrEqual(earliestListingAnyWindowReads(now).getTime());
      expect(earliestListingAnyWindowReads(now).getTime()).toBeGreaterThan(
        retentionCutoff(now, MIN_RETENTION_DAYS).getTime(),
      );
    },
  );

  // The proof's paper side: a paper's listedAt, measured against the windows, only ever moves earlier.
  it.each([
    ['a later listing', 5],
    ['an earlier listing', -5],
  ])('should keep the earliest listedAt when a paper takes in %s', (_label, shiftDays) => {
    const paper: PaperMetadata = {
      title: 'A paper',
      abstract: 'An abstract.',
      authors: ['A. Author'],
      upvotes: 1,
      keywords: [],
      categories: [],
      summary: null,
      url: null,
      codeUrl: null,
      projectUrl: null,
      version: 1,
      listedAt: daysBefore(now, 100),
      publishedAt: null,
    };
    const incoming = { ...paper, version: 2, listedAt: daysBefore(paper.listedAt, -shiftDays) };
    const merged = mergePaperMetadata(paper, incoming);
    expect(merged.listedAt.getTime()).toBeLessThanOrEqual(paper.listedAt.getTime());
    expect(merged.listedAt).toEqual(shiftDays > 0 ? paper.listedAt : incoming.listedAt);
  });
});
