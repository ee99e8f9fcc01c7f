import { DateTime } from 'luxon';

/**
 * Dates as people read them, the same on the site and in every message: "Monday 7 December 2026". Days are
 * calendar days given as ISO dates, already in the zone they belong to (a digest's period is a day of the
 * subscriber's zone; a listing day is a UTC day, as the site's day pages are): nothing here reads a clock.
 * Plain `Date` arithmetic on UTC days rather than luxon's formatter: a fan-out words a date per email.
 */
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

interface Day {
  weekday: string;
  day: number;
  month: string;
  year: number;
}

/** The day an ISO date names, or null for anything else (a non-existent 2026-02-30 included). */
function parseDay(isoDay: string): Day | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDay);
  if (!match) {
    return null;
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return null;
  }
  return { weekday: WEEKDAYS[date.getUTCDay()], day, month: MONTHS[month - 1], year };
}

export function dayInWords(isoDay: string): string {
  const day = parseDay(isoDay);
  return day ? `${day.weekday} ${day.day} ${day.month} ${day.year}` : isoDay;
}

// A fan-out words the same few periods for every email: each is worked out once (a few hundred at most).
const periods = new Map<string, string>();

/**
 * A digest period's key (see periodLabel) in words: a day ("Monday 7 December 2026"), or an ISO week by its
 * Monday ("the week of Monday 7 December 2026"). A key of another shape is returned as it is.
 */
export function periodInWords(key: string): string {
  let words = periods.get(key);
  if (words === undefined) {
    if (/^\d{4}-W\d{2}$/.test(key)) {
      const monday = DateTime.fromISO(key, { zone: 'utc' });
      words = monday.isValid ? `the week of ${dayInWords(monday.toISODate())}` : key;
    } else {
      words = dayInWords(key);
    }
    if (periods.size >= 1000) {
      periods.clear();
    }
    periods.set(key, words);
  }
  return words;
}

/**
 * Sorted ISO days as a span: "Monday 7 December 2026", "Friday 4 to Monday 7 December 2026", "Monday 30
 * November to Tuesday 1 December 2026"; what the two ends share is said once. Null for no day.
 */
export function daySpanInWords(days: readonly string[]): string | null {
  if (days.length === 0) {
    return null;
  }
  const first = parseDay(days[0]);
  const last = parseDay(days[days.length - 1]);
  if (!first || !last || days.length === 1 || days[0] === days[days.length - 1]) {
    return dayInWords(days[days.length - 1]);
  }
  const from =
    first.year !== last.year
      ? `${first.weekday} ${first.day} ${first.month} ${first.year}`
      : first.month !== last.month
        ? `${first.weekday} ${first.day} ${first.month}`
        : `${first.weekday} ${first.day}`;
  return `${from} to ${last.weekday} ${last.day} ${last.month} ${last.year}`;
}

/** The UTC calendar day of an instant, as the site's day pages name listing days. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}
