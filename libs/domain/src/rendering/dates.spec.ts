import { dayInWords, daySpanInWords, periodInWords, utcDay } from './dates';

describe('dates in words', () => {
  it('should write a day as the site does, whatever zone the process runs in', () => {
    expect(dayInWords('2026-12-07')).toBe('Monday 7 December 2026');
    expect(dayInWords('2026-03-01')).toBe('Sunday 1 March 2026');
    expect(dayInWords('2024-02-29')).toBe('Thursday 29 February 2024');
  });

  it('should name a daily period by its day and a weekly one by its Monday', () => {
    expect(periodInWords('2026-12-08')).toBe('Tuesday 8 December 2026');
    expect(periodInWords('2026-W50')).toBe('the week of Monday 7 December 2026');
    // ISO week 1 of 2027 starts in December 2026; week 53 exists in 2026.
    expect(periodInWords('2027-W01')).toBe('the week of Monday 4 January 2027');
    expect(periodInWords('2026-W53')).toBe('the week of Monday 28 December 2026');
    expect(periodInWords('2020-W53')).toBe('the week of Monday 28 December 2020');
  });

  it('should return a key it cannot read as it is', () => {
    expect(periodInWords('(paused)')).toBe('(paused)');
    expect(periodInWords('2026-13-45')).toBe('2026-13-45');
    expect(periodInWords('2026-W99')).toBe('2026-W99');
    expect(periodInWords('2026-02-30')).toBe('2026-02-30');
    expect(dayInWords('2026-2-3')).toBe('2026-2-3');
  });

  it('should say what two ends of a span share once', () => {
    expect(daySpanInWords([])).toBeNull();
    expect(daySpanInWords(['2026-12-07'])).toBe('Monday 7 December 2026');
    expect(daySpanInWords(['2026-12-04', '2026-12-07'])).toBe('Friday 4 to Monday 7 December 2026');
    expect(daySpanInWords(['2026-11-30', '2026-12-01'])).toBe('Monday 30 November to Tuesday 1 December 2026');
    expect(daySpanInWords(['2026-12-31', '2027-01-01'])).toBe('Thursday 31 December 2026 to Friday 1 January 2027');
  });

  it('should take the UTC day of an instant, as the site names listing days', () => {
    expect(utcDay(new Date('2026-12-07T23:59:59.999Z'))).toBe('2026-12-07');
    expect(utcDay(new Date('2026-12-08T00:30:00+01:00'))).toBe('2026-12-07');
  });
});
