import { DateTime } from 'luxon';

/**
 * How far back a scheduled run of a dated source reaches: at most this many days before today. It
 * covers a week of downtime in one run, keeps that run bounded (arXiv asks for one request every 3 s),
 * and leaves older gaps to an explicit `fetch --date`.
 */
export const CATCH_UP_HORIZON_DAYS = 7;

export interface DatedPolicy {
  lagDays: number;
  refetchDays: number;
}

const plusDays = (date: string, days: number): string =>
  DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate() as string;

/**
 * The listing dates a scheduled run fetches, oldest first: every date after the cursor (the last one
 * fetched successfully) up to the newest one, plus the newest `refetchDays` dates, which may still grow.
 * Never older than the horizon. Dates are ISO strings, so they compare as text.
 */
export function planListingDates(
  cursor: string | null,
  today: string,
  policy: DatedPolicy,
  horizonDays = CATCH_UP_HORIZON_DAYS,
): string[] {
  const newest = plusDays(today, -policy.lagDays);
  const refetchFrom = plusDays(newest, 1 - Math.max(policy.refetchDays, 1));
  const afterCursor = cursor === null ? refetchFrom : plusDays(cursor, 1);
  const horizon = plusDays(today, -horizonDays);
  let date = [afterCursor < refetchFrom ? afterCursor : refetchFrom, horizon].reduce((a, b) => (a > b ? a : b));
  const dates: string[] = [];
  for (; date <= newest; date = plusDays(date, 1)) {
    dates.push(date);
  }
  return dates;
}

/** A date the scheduled runs no longer ask for again: what it lists now is all it will list. */
export function isSettled(date: string, today: string, policy: DatedPolicy): boolean {
  return date <= plusDays(today, 1 - policy.lagDays - Math.max(policy.refetchDays, 1));
}
