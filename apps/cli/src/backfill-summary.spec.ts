import { BackfillSummary, formatBackfillSummary } from './backfill.service';

const summary = (overrides: Partial<BackfillSummary>): BackfillSummary => ({
  sourceId: 'hf-daily',
  from: '2026-11-01',
  to: '2026-11-10',
  total: 10,
  alreadyDone: 3,
  fetched: 7,
  listed: 210,
  fresh: 180,
  withSkippedItems: 0,
  stoppedBefore: null,
  ...overrides,
});

describe('formatBackfillSummary', () => {
  it('should say what was fetched and what an earlier run had done', () => {
    expect(formatBackfillSummary(summary({}))).toBe(
      'Backfilled hf-daily from 2026-11-01 to 2026-11-10: 10 date(s), 7 fetched, 3 already fetched before; ' +
        '210 listed, 180 new, all classified.',
    );
  });

  it('should say where an interrupted backfill stopped and how to continue', () => {
    expect(formatBackfillSummary(summary({ fetched: 2, stoppedBefore: '2026-11-06', withSkippedItems: 1 }))).toBe(
      'Backfill of hf-daily interrupted before 2026-11-06: 2 fetched, 3 already fetched before; 210 listed, 180 new, ' +
        'all classified (1 run(s) skipped malformed items; see fetch_runs.error). ' +
        'Run the same command again to continue from 2026-11-06.',
    );
  });
});
