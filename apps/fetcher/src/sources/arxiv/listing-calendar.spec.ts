import {
  ARXIV_PUBLISHED_HOLIDAYS,
  arxivCalendarWarning,
  arxivHolidays,
  derivedArxivHolidays,
  isListingDay,
} from './listing-calendar';

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
    // An ad hoc closure of a published year.
    expect(isListingDay('arxiv', '2026-12-29')).toBe(false);
    expect(isListingDay('arxiv', '2026-12-30')).toBe(true);
  });

  it('should know the holidays of years without a published list from the rules', () => {
    // 2027: Thanksgiving is the 25th of November, Labor Day the 6th of September.
    expect(isListingDay('arxiv', '2027-11-25')).toBe(false);
    expect(isListingDay('arxiv', '2027-11-24')).toBe(true);
    expect(isListingDay('arxiv', '2027-09-06')).toBe(false);
    expect(isListingDay('arxiv', '2030-01-21')).toBe(false); // Martin Luther King Jr. Day 2030
  });

  it('should refuse a date that does not exist', () => {
    expect(() => isListingDay('arxiv', '2026-02-30')).toThrow('"2026-02-30" is not a calendar date (YYYY-MM-DD)');
  });
});

describe('derivedArxivHolidays', () => {
  it("should derive every regular holiday of arXiv's published 2026 list, leaving only its ad hoc closures", () => {
    const derived = derivedArxivHolidays(2026);
    const published = ARXIV_PUBLISHED_HOLIDAYS[2026];
    expect(derived.filter((date) => !published.includes(date))).toEqual([]);
    expect(published.filter((date) => !derived.includes(date))).toEqual(['2026-12-29', '2026-12-31']);
  });

  it('should move a Saturday holiday to the Friday before and a Sunday one to the Monday after', () => {
    // 2027: Juneteenth and Christmas on Saturdays, Independence Day on a Sunday, and New Year 2028 on a Saturday.
    expect(derivedArxivHolidays(2027)).toEqual([
      '2027-01-01',
      '2027-01-18',
      '2027-06-18',
      '2027-07-05',
      '2027-09-06',
      '2027-11-25',
      '2027-12-24',
      '2027-12-31',
    ]);
    // New Year 2028, a Saturday, was observed in 2027.
    expect(derivedArxivHolidays(2028)).toEqual([
      '2028-01-17',
      '2028-06-19',
      '2028-07-04',
      '2028-09-04',
      '2028-11-23',
      '2028-12-25',
    ]);
  });

  it('should give only weekdays, each year from 2023 to 2040', () => {
    for (let year = 2023; year <= 2040; year += 1) {
      const holidays = [...arxivHolidays(year)];
      expect({ year, weekend: holidays.filter((date) => !isListingDay('weekdays', date)) }).toEqual({
        year,
        weekend: [],
      });
      expect(holidays.every((date) => date.startsWith(`${year}-`))).toBe(true);
    }
  });
});

describe('arxivCalendarWarning', () => {
  it('should say nothing in a year with a published list', () => {
    expect(arxivCalendarWarning(2026, ['hf-daily-papers', 'arxiv-api'])).toBeUndefined();
  });

  it('should name a year without a published list and where to find it, when an arxiv-api source is scheduled', () => {
    const warning = arxivCalendarWarning(2027, ['rss', 'arxiv-api']);
    expect(warning).toMatch(/^arXiv's holiday list for 2027 is not in listing-calendar\.ts/);
    expect(warning).toContain('https://info.arxiv.org/help/availability.html');
  });

  it('should say nothing when no source is judged on the arXiv calendar', () => {
    expect(arxivCalendarWarning(2027, ['hf-daily-papers', 'arxiv-rss', 'rss'])).toBeUndefined();
  });
});
