import { DateTime } from 'luxon';

/** The source kinds that answer for any listing date; feeds only show their current items. */
export const DATED_KINDS: readonly string[] = ['hf-daily-papers', 'arxiv-api'];

/** The longest range one backfill covers, in dates: a year, leap day included. */
export const MAX_BACKFILL_DAYS = 366;

/** A date given as YYYY-MM-DD that is a real calendar date, or an error naming the flag and the value. */
export function parseCalendarDate(flag: string, value: string): string {
  // Date.parse rolls 2024-02-30 over to March; Luxon refuses it.
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !DateTime.fromISO(value, { zone: 'UTC' }).isValid) {
    throw new Error(`${flag} must be a date as YYYY-MM-DD (got "${value}")`);
  }
  return value;
}

const plusDays = (date: string, days: number): string =>
  DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate() as string;

const daysBetween = (from: string, to: string): number =>
  DateTime.fromISO(to, { zone: 'UTC' }).diff(DateTime.fromISO(from, { zone: 'UTC' }), 'days').days;

/**
 * Every listing date from `from` to `to` inclusive, oldest first. `today` is today in the source's time
 * zone: a later date has nothing listed yet. Dates are ISO strings, so they compare as text.
 */
export function planBackfill(from: string, to: string, today: string): string[] {
  if (from > to) {
    throw new Error(`--from ${from} is after --to ${to}: give the oldest date as --from`);
  }
  if (to > today) {
    throw new Error(`--to ${to} is in the future: the source's today is ${today}`);
  }
  const count = daysBetween(from, to) + 1;
  if (count > MAX_BACKFILL_DAYS) {
    throw new Error(
      `--from ${from} --to ${to} covers ${count} dates, more than ${MAX_BACKFILL_DAYS}: split it into several backfills`,
    );
  }
  const dates: string[] = [];
  for (let date = from; date <= to; date = plusDays(date, 1)) {
    dates.push(date);
  }
  return dates;
}

/**
 * Splits the planned dates into those still to fetch and those a succeeded run already covers (an
 * earlier, interrupted backfill or a scheduled run), keeping the order.
 */
export function remainingDates(
  planned: readonly string[],
  succeeded: Iterable<string>,
): { todo: string[]; done: string[] } {
  const covered = new Set(succeeded);
  return {
    todo: planned.filter((date) => !covered.has(date)),
    done: planned.filter((date) => covered.has(date)),
  };
}
