import { DateTime } from 'luxon';

/**
 * The days a source is expected to list something. `weekdays`: Hugging Face Daily Papers (Monday to
 * Friday). `arxiv`: arXiv announces Sunday to Thursday at 20:00 US Eastern, which is Monday to Friday
 * in UTC listing dates, and skips its holidays.
 */
export type ListingCalendar = 'weekdays' | 'arxiv';

/**
 * arXiv's holiday lists as published (arxiv-docs `help/availability.md`, "On Deferred Mailings"), as
 * listing dates. They are complete for their year: regular holidays and ad hoc closures. Add each year
 * when arXiv publishes it (usually in December); the fetcher warns at boot in a year missing here.
 */
export const ARXIV_PUBLISHED_HOLIDAYS: Readonly<Record<number, readonly string[]>> = {
  2023: [
    '2023-01-16',
    '2023-06-14',
    '2023-06-19',
    '2023-07-04',
    '2023-09-04',
    '2023-11-23',
    '2023-12-25',
    '2023-12-27',
  ],
  2026: [
    '2026-01-01',
    '2026-01-19',
    '2026-06-19',
    '2026-07-03',
    '2026-09-07',
    '2026-11-26',
    '2026-12-25',
    '2026-12-29',
    '2026-12-31',
  ],
};

/**
 * The US holidays arXiv closes for every year, derived for a year without a published list: New Year,
 * Martin Luther King Jr. Day, Juneteenth, Independence Day, Labor Day, Thanksgiving and Christmas,
 * observed as Cornell observes them: on a Saturday the Friday before (2026-07-03), on a Sunday the
 * Monday after. Ad hoc closures (between Christmas and New Year, say) cannot be derived.
 */
export function derivedArxivHolidays(year: number): string[] {
  const fixed = (y: number, month: number, day: number): DateTime => {
    const date = DateTime.utc(y, month, day);
    return date.weekday === 6 ? date.minus({ days: 1 }) : date.weekday === 7 ? date.plus({ days: 1 }) : date;
  };
  const nth = (month: number, weekday: number, n: number): DateTime => {
    const first = DateTime.utc(year, month, 1);
    return first.plus({ days: ((weekday - first.weekday + 7) % 7) + 7 * (n - 1) });
  };
  return [
    fixed(year, 1, 1),
    nth(1, 1, 3),
    fixed(year, 6, 19),
    fixed(year, 7, 4),
    nth(9, 1, 1),
    nth(11, 4, 4),
    fixed(year, 12, 25),
    // Next year's New Year on a Saturday is observed on this year's last day.
    fixed(year + 1, 1, 1),
  ]
    .filter((date) => date.year === year)
    .map((date) => date.toISODate() as string);
}

/** arXiv's holidays of a year: its published list, else the derived regular ones. */
export function arxivHolidays(year: number): ReadonlySet<string> {
  return new Set(ARXIV_PUBLISHED_HOLIDAYS[year] ?? derivedArxivHolidays(year));
}

/** The source kinds whose health is judged on the arXiv calendar (`ArxivApiClient.mode`). */
export const ARXIV_CALENDAR_KINDS: readonly string[] = ['arxiv-api'];

/**
 * The fetcher's boot warning when it schedules a source on the arXiv calendar in a year without a
 * published list (else undefined): the regular holidays are derived, but an ad hoc closure would be
 * judged a quiet day (a degraded source).
 */
export function arxivCalendarWarning(year: number, kinds: readonly string[]): string | undefined {
  if (ARXIV_PUBLISHED_HOLIDAYS[year] || !kinds.some((kind) => ARXIV_CALENDAR_KINDS.includes(kind))) {
    return undefined;
  }
  return (
    `arXiv's holiday list for ${year} is not in listing-calendar.ts: its regular US holidays are derived, ` +
    `but a day arXiv closes ad hoc will count as a quiet day. Add the year from ` +
    `https://info.arxiv.org/help/availability.html`
  );
}

/** Whether a source on this calendar should list something on `date` (YYYY-MM-DD). */
export function isListingDay(calendar: ListingCalendar, date: string): boolean {
  const day = DateTime.fromISO(date, { zone: 'UTC' });
  if (!day.isValid) {
    throw new Error(`"${date}" is not a calendar date (YYYY-MM-DD)`);
  }
  if (day.weekday > 5) {
    return false;
  }
  return calendar === 'weekdays' || !arxivHolidays(day.year).has(date);
}
