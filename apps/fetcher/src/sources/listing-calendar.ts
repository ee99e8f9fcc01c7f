import { DateTime } from 'luxon';

/**
 * The days a source is expected to list something. `weekdays`: Hugging Face Daily Papers (Monday to
 * Friday). `arxiv`: arXiv announces Sunday to Thursday at 20:00 US Eastern, which is Monday to Friday
 * in UTC listing dates, and skips its holidays.
 */
export type ListingCalendar = 'weekdays' | 'arxiv';

/**
 * arXiv's announcement holidays (arxiv-docs `help/availability.md`), as listing dates. A year not listed
 * here falls back to weekdays: update the list each December from arXiv's published schedule.
 */
export const ARXIV_HOLIDAYS: ReadonlySet<string> = new Set([
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

/** Whether a source on this calendar should list something on `date` (YYYY-MM-DD). */
export function isListingDay(calendar: ListingCalendar, date: string): boolean {
  const day = DateTime.fromISO(date, { zone: 'UTC' });
  if (!day.isValid) {
    throw new Error(`"${date}" is not a calendar date (YYYY-MM-DD)`);
  }
  if (day.weekday > 5) {
    return false;
  }
  return calendar === 'weekdays' || !ARXIV_HOLIDAYS.has(date);
}
