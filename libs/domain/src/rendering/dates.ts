import { DateTime } from 'luxon';

/**
 * Dates as people read them, the same on the site and in every message: "Monday 7 December 2026". Days are
 * calendar days given as ISO dates, already in the zone they belong to (a digest's period is a day of the
 * subscriber's zone; a listing day is a UTC day, as the site's day pages are): nothing here reads a clock.
 */
export function dayInWords(isoDay: string): string {
  const day = DateTime.fromISO(isoDay, { zone: 'utc', locale: 'en-GB' });
  return day.isValid ? day.toFormat('cccc d LLLL yyyy') : isoDay;
}

/**
 * A digest period's key (see periodLabel) in words: a day ("Monday 7 December 2026"), or an ISO week by its
 * Monday ("the week of Monday 7 December 2026"). A key of another shape is returned as it is.
 */
export function periodInWords(key: string): string {
  if (/^\d{4}-W\d{2}$/.test(key)) {
    const monday = DateTime.fromISO(key, { zone: 'utc' });
    return monday.isValid ? `the week of ${dayInWords(monday.toISODate())}` : key;
  }
  return /^\d{4}-\d{2}-\d{2}$/.test(key) ? dayInWords(key) : key;
}

/**
 * Sorted ISO days as a span: "Monday 7 December 2026", "Friday 4 to Monday 7 December 2026", "Monday 30
 * November to Tuesday 1 December 2026"; what the two ends share is said once. Null for no day.
 */
export function daySpanInWords(days: readonly string[]): string | null {
  if (days.length === 0) {
    return null;
  }
  const first = DateTime.fromISO(days[0], { zone: 'utc', locale: 'en-GB' });
  const last = DateTime.fromISO(days[days.length - 1], { zone: 'utc', locale: 'en-GB' });
  if (!first.isValid || !last.isValid || days.length === 1 || first.hasSame(last, 'day')) {
    return dayInWords(days[days.length - 1]);
  }
  const from = first.hasSame(last, 'month')
    ? first.toFormat('cccc d')
    : first.hasSame(last, 'year')
      ? first.toFormat('cccc d LLLL')
      : first.toFormat('cccc d LLLL yyyy');
  return `${from} to ${last.toFormat('cccc d LLLL yyyy')}`;
}

/** The UTC calendar day of an instant, as the site's day pages name listing days. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}
