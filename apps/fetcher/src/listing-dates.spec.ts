import { CATCH_UP_HORIZON_DAYS, isSettled, planListingDates } from './listing-dates';

describe('planListingDates', () => {
  const hf = { lagDays: 0, refetchDays: 2 };
  const arxivApi = { lagDays: 1, refetchDays: 5 };

  it('should fetch every day missed since the cursor, oldest first, up to today', () => {
    expect(planListingDates('2026-11-24', '2026-11-27', hf)).toEqual(['2026-11-25', '2026-11-26', '2026-11-27']);
  });

  it('should fetch the dates that may still grow again when the cursor is recent', () => {
    expect(planListingDates('2026-11-27', '2026-11-27', hf)).toEqual(['2026-11-26', '2026-11-27']);
    expect(planListingDates('2026-11-26', '2026-11-27', hf)).toEqual(['2026-11-26', '2026-11-27']);
    // A cursor ahead of today (a zone change, a clock fixed) still fetches today.
    expect(planListingDates('2026-11-30', '2026-11-27', hf)).toEqual(['2026-11-26', '2026-11-27']);
  });

  it('should start a source without a cursor at the dates that may still grow', () => {
    expect(planListingDates(null, '2026-11-27', hf)).toEqual(['2026-11-26', '2026-11-27']);
    expect(planListingDates(null, '2026-11-27', arxivApi)).toEqual([
      '2026-11-22',
      '2026-11-23',
      '2026-11-24',
      '2026-11-25',
      '2026-11-26',
    ]);
  });

  it('should not reach further back than the horizon', () => {
    expect(CATCH_UP_HORIZON_DAYS).toBe(7);
    const dates = planListingDates('2026-10-01', '2026-11-27', hf);
    expect(dates[0]).toBe('2026-11-20');
    expect(dates).toHaveLength(8);
    expect(planListingDates('2026-10-01', '2026-11-27', hf, 2)).toEqual(['2026-11-25', '2026-11-26', '2026-11-27']);
  });

  it('should cross month and year ends', () => {
    expect(planListingDates('2026-12-30', '2027-01-02', hf)).toEqual(['2026-12-31', '2027-01-01', '2027-01-02']);
  });
});

describe('isSettled', () => {
  it('should call a date settled once the scheduled runs stop asking for it', () => {
    const hf = { lagDays: 0, refetchDays: 2 };
    expect(isSettled('2026-11-27', '2026-11-27', hf)).toBe(false);
    expect(isSettled('2026-11-26', '2026-11-27', hf)).toBe(true);
    const arxivApi = { lagDays: 1, refetchDays: 5 };
    expect(isSettled('2026-11-23', '2026-11-27', arxivApi)).toBe(false);
    expect(isSettled('2026-11-22', '2026-11-27', arxivApi)).toBe(true);
  });
});
