import { DateTime, IANAZone } from 'luxon';

export type Frequency = 'daily' | 'weekly' | 'paused';
export const FREQUENCIES: readonly Frequency[] = ['daily', 'weekly', 'paused'];

export interface DeliverySchedule {
  frequency: Frequency;
  /** IANA time zone, e.g. "Europe/Paris". */
  timezone: string;
  /** Local hour (0-23) after which the period's digest is due. */
  sendHour: number;
  /** ISO weekday for weekly digests: 1 = Monday … 7 = Sunday. */
  weekday: number;
}

/** One digest period of one subscription: a local calendar day, or a local ISO week. */
export interface DigestPeriod {
  /** Stable key: "2026-11-28" (daily) or "2026-W48" (weekly); one digest per (subscription, key). */
  key: string;
  /** The instant the period's digest becomes due. */
  dueAt: Date;
}

export function isValidTimezone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/**
 * The period `now` falls in, in the subscriber's zone. Luxon moves a send hour that does not exist
 * (skipped by a daylight-saving change) forward to the first valid instant, so it still sends once.
 */
export function currentPeriod(schedule: DeliverySchedule, now: Date): DigestPeriod | null {
  if (schedule.frequency === 'paused') {
    return null;
  }
  const local = DateTime.fromJSDate(now, { zone: schedule.timezone });
  if (!local.isValid) {
    throw new Error(`Invalid time zone "${schedule.timezone}"`);
  }
  if (schedule.frequency === 'daily') {
    const dueAt = local.startOf('day').set({ hour: schedule.sendHour });
    return { key: local.toISODate(), dueAt: dueAt.toJSDate() };
  }
  const dueDay = local.startOf('week').plus({ days: schedule.weekday - 1 });
  const dueAt = dueDay.set({ hour: schedule.sendHour });
  const week = `${local.weekYear}-W${String(local.weekNumber).padStart(2, '0')}`;
  return { key: week, dueAt: dueAt.toJSDate() };
}

/**
 * The period whose digest is due at `now`, or null. A subscription activated after a period's
 * send time starts with the next period, so a new subscriber is not sent a digest straight away.
 */
export function duePeriod(schedule: DeliverySchedule, activatedAt: Date, now: Date): DigestPeriod | null {
  const period = currentPeriod(schedule, now);
  if (!period || period.dueAt > now || period.dueAt < activatedAt) {
    return null;
  }
  return period;
}

export const DEFAULT_LOOKBACK_DAYS: Record<Exclude<Frequency, 'paused'>, number> = { daily: 2, weekly: 8 };

/**
 * The period before the current one, when its digest was owed but may never have been claimed: no tick
 * ran between its send time and its end (every notifier down across the subscriber's local midnight).
 * Claiming it again is harmless (one digest per period), so the planner asks for it on every tick.
 * Only a subscription unchanged since that send time is owed it: one created, resumed or edited later
 * was not (or not with these preferences), and its next digest carries the papers still in its lookback.
 */
export function missedPeriod(schedule: DeliverySchedule, unchangedSince: Date, now: Date): DigestPeriod | null {
  if (schedule.frequency === 'paused') {
    return null;
  }
  const local = DateTime.fromJSDate(now, { zone: schedule.timezone });
  const before = local.minus(schedule.frequency === 'daily' ? { days: 1 } : { weeks: 1 });
  const period = currentPeriod(schedule, before.toJSDate());
  if (!period || period.dueAt < unchangedSince || period.dueAt > now) {
    return null;
  }
  return period;
}

/**
 * When the planner next has something to do for this schedule, asked at `now` after claiming what was
 * due: the current period's send time if it is still ahead, else the next period's. Null when paused.
 * A tick only reads subscriptions whose time has come (and any whose schedule changed since).
 */
export function nextPlanningAt(schedule: DeliverySchedule, now: Date): Date | null {
  const period = currentPeriod(schedule, now);
  if (!period) {
    return null;
  }
  if (period.dueAt > now) {
    return period.dueAt;
  }
  const local = DateTime.fromJSDate(now, { zone: schedule.timezone });
  const nextStart =
    schedule.frequency === 'daily' ? local.startOf('day').plus({ days: 1 }) : local.startOf('week').plus({ weeks: 1 });
  return currentPeriod(schedule, nextStart.toJSDate())?.dueAt ?? null;
}
