import { ARXIV_HOLIDAYS, isListingDay } from './listing-calendar';

describe('isListingDay', () => {
  // 2026-11-23 is a Monday.
  const week = ['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-27', '2026-11-28', '2026-11-29'];

  it('should expect Hugging Face listings on weekdays only', () => {
    expect(week.map((date) => isListingDay('weekdays', date))).toEqual([true, true, true, true, false, false]);
    // Hugging Face has no holiday calendar: Thanksgiving is a weekday like any other.
    expect(isListingDay('weekdays', '2026-11-26')).toBe(true);
  });

  it('should expect arXiv listings Monday to Friday except its holidays', () => {
    expect(week.map((date) => isListingDay('arxiv', date))).toEqual([true, true, true, true, false, false]);
    expect(isListingDay('arxiv', '2026-11-26')).toBe(false);
    expect(isListingDay('arxiv', '2026-01-19')).toBe(false);
    expect(isListingDay('arxiv', '2026-01-20')).toBe(true);
  });

  it('should know every 2026 arXiv holiday and none on a weekend', () => {
    expect([...ARXIV_HOLIDAYS]).toEqual([
      '2026-01-01',
      '2026-01-19',
      '2026-06-19',
      '2026-07-03',
      '2026-09-07',
      '2026-11-26',
      '2026-12-25',
      '2026-12-29',
      '2026-12-31',
    ]);
    for (const holiday of ARXIV_HOLIDAYS) {
      expect(isListingDay('weekdays', holiday)).toBe(true);
      expect(isListingDay('arxiv', holiday)).toBe(false);
    }
  });

  it('should refuse a date that does not exist', () => {
    expect(() => isListingDay('arxiv', '2026-02-30')).toThrow('"2026-02-30" is not a calendar date (YYYY-MM-DD)');
  });
});
