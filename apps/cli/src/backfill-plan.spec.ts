import { MAX_BACKFILL_DAYS, parseCalendarDate, planBackfill, remainingDates } from './backfill-plan';

describe('parseCalendarDate', () => {
  it('should accept a real calendar date', () => {
    expect(parseCalendarDate('--from', '2024-02-29')).toBe('2024-02-29');
  });

  it('should name the flag and the value of a date that does not exist or is not YYYY-MM-DD', () => {
    expect(() => parseCalendarDate('--from', '2023-02-29')).toThrow(
      '--from must be a date as YYYY-MM-DD (got "2023-02-29")',
    );
    expect(() => parseCalendarDate('--to', '28.11.2026')).toThrow(
      '--to must be a date as YYYY-MM-DD (got "28.11.2026")',
    );
  });
});

describe('planBackfill', () => {
  const today = '2026-11-28';

  it('should list every date from --from to --to, oldest first, across a month end', () => {
    expect(planBackfill('2026-10-30', '2026-11-02', today)).toEqual([
      '2026-10-30',
      '2026-10-31',
      '2026-11-01',
      '2026-11-02',
    ]);
  });

  it('should plan one date when --from is --to, today included', () => {
    expect(planBackfill(today, today, today)).toEqual([today]);
  });

  it('should refuse --from after --to, naming both', () => {
    expect(() => planBackfill('2026-11-20', '2026-11-10', today)).toThrow(
      '--from 2026-11-20 is after --to 2026-11-10: give the oldest date as --from',
    );
  });

  it('should refuse a --to in the future, naming it and the source’s today', () => {
    expect(() => planBackfill('2026-11-20', '2026-11-29', today)).toThrow(
      "--to 2026-11-29 is in the future: the source's today is 2026-11-28",
    );
  });

  it('should allow 366 dates and refuse 367, naming the range', () => {
    expect(planBackfill('2023-11-28', '2024-11-27', today)).toHaveLength(MAX_BACKFILL_DAYS);
    expect(() => planBackfill('2023-11-27', '2024-11-27', today)).toThrow(
      '--from 2023-11-27 --to 2024-11-27 covers 367 dates, more than 366: split it into several backfills',
    );
  });
});

describe('remainingDates', () => {
  it('should skip dates a succeeded run covers and keep the rest in order, so a re-run resumes', () => {
    const planned = planBackfill('2026-11-01', '2026-11-06', '2026-11-28');
    // An interrupted backfill got through the first three dates; a scheduled run fetched the fifth.
    expect(remainingDates(planned, ['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-05', '2026-10-31'])).toEqual({
      todo: ['2026-11-04', '2026-11-06'],
      done: ['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-05'],
    });
  });

  it('should leave nothing to do when every date is covered', () => {
    expect(remainingDates(['2026-11-01'], new Set(['2026-11-01']))).toEqual({ todo: [], done: ['2026-11-01'] });
  });
});
