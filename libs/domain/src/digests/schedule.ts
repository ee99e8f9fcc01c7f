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
 * Zoned calendar arithmetic is most of the tick's CPU (luxon resolves the zone's offsets for every
 * DateTime it makes), and a tick asks the same few questions of every subscription: the period of its
 * instant for each (zone, frequency, hour, weekday). The answers depend on nothing else, so they are
 * kept, as instants; bounded by clearing when full (a tick needs a few thousand at most).
 */
const zonedAnswers = new Map<string, { key: string; at: number }>();
const ZONED_ANSWERS_LIMIT = 20_000;

function rememberedZoned(question: string, compute: () => { key: string; at: number }): { key: string; at: number } {
  let answer = zonedAnswers.get(question);
  if (answer === undefined) {
    answer = compute();
    if (zonedAnswers.size >= ZONED_ANSWERS_LIMIT) {
      zonedAnswers.clear();
    }
    zonedAnswers.set(question, answer);
  }
  return answer;
}

/** An instant computed in a zone, remembered like the periods. */
function rememberedInstant(question: string, compute: () => Date): Date {
  return new Date(rememberedZoned(question, () => ({ key: '', at: compute().getTime() })).at);
}

/**
 * The period `now` falls in, in the subscriber's zone. Luxon moves a send hour that does not exist
 * (skipped by a daylight-saving change) forward to the first valid instant, so it still sends once.
 */
export function currentPeriod(schedule: DeliverySchedule, now: Date): DigestPeriod | null {
  if (schedule.frequency === 'paused') {
    return null;
  }
  const { frequency, timezone, sendHour, weekday } = schedule;
  const question = `period ${frequency} ${timezone} ${sendHour} ${frequency === 'weekly' ? weekday : ''} ${now.getTime()}`;
  const period = rememberedZoned(question, () => {
    const computed = computeCurrentPeriod(schedule, now);
    return { key: computed.key, at: computed.dueAt.getTime() };
  });
  return { key: period.key, dueAt: new Date(period.at) };
}

function computeCurrentPeriod(schedule: DeliverySchedule, now: Date): DigestPeriod {
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

/** How far back a subscription's first digest (and one after a resume) looks for papers. */
export const DEFAULT_LOOKBACK_DAYS: Record<Exclude<Frequency, 'paused'>, number> = { daily: 2, weekly: 8 };

/**
 * The furthest back any digest looks: a digest reaches back to where the subscription's previous one
 * ended (after an outage, or a weekday moved later), but not further than this.
 */
export const MAX_LOOKBACK_DAYS: Record<Exclude<Frequency, 'paused'>, number> = { daily: 14, weekly: 28 };

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/**
 * A paper listed shortly before a digest can become ready (classified) after it was built: the next
 * digest's window starts this long before the previous one ended, so it still gets the paper. With the
 * default lookbacks a digest a period after the previous one looks back exactly its default.
 */
export const LATE_PAPER_GRACE_MS = DAY;

/**
 * The papers a digest chooses from: those first listed in (listedAfter, listedUntil], listedUntil being
 * the instant it was planned for. The window starts where the subscription's previous digest's window
 * ended (`previousEnd`, less the grace for late papers), so no paper listed between two digests is
 * skipped whatever the gap between them (an outage, a weekday moved later, a zone moved), but never
 * later than the default lookback and never earlier than the maximum. A first digest looks back the
 * default. A subscription resumed after a pause does not get the papers of the pause: its window starts
 * at the resume (or the default lookback, if that is earlier). Papers already delivered are excluded by
 * the ledger, so overlapping windows never send a paper twice.
 */
export function digestWindow(
  frequency: Frequency,
  asOf: Date,
  previousEnd: Date | null,
  resumedAt: Date | null,
): { listedAfter: Date; listedUntil: Date } {
  const kind = frequency === 'weekly' ? 'weekly' : 'daily';
  const until = asOf.getTime();
  const byDefault = until - DEFAULT_LOOKBACK_DAYS[kind] * DAY;
  let start = byDefault;
  if (previousEnd) {
    const resumedSince = resumedAt && resumedAt > previousEnd ? resumedAt.getTime() : null;
    const from = resumedSince ?? previousEnd.getTime() - LATE_PAPER_GRACE_MS;
    start = Math.min(byDefault, Math.max(from, until - MAX_LOOKBACK_DAYS[kind] * DAY));
  }
  return { listedAfter: new Date(start), listedUntil: asOf };
}

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
  const before = rememberedInstant(`before ${schedule.frequency} ${schedule.timezone} ${now.getTime()}`, () =>
    DateTime.fromJSDate(now, { zone: schedule.timezone })
      .minus(schedule.frequency === 'daily' ? { days: 1 } : { weeks: 1 })
      .toJSDate(),
  );
  const period = currentPeriod(schedule, before);
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
  const nextStart = rememberedInstant(`next ${schedule.frequency} ${schedule.timezone} ${now.getTime()}`, () => {
    const local = DateTime.fromJSDate(now, { zone: schedule.timezone });
    return (
      schedule.frequency === 'daily' ? local.startOf('day').plus({ days: 1 }) : local.startOf('week').plus({ weeks: 1 })
    ).toJSDate();
  });
  return currentPeriod(schedule, nextStart)?.dueAt ?? null;
}

/** A digest already claimed for the subscription, as the planner sees it. */
export interface RecentDigest {
  key: string;
  dueAt: Date;
}

/** A period the planner claims: catch-up periods are built as of their send time, the others as of the tick. */
export interface PlannedPeriod extends DigestPeriod {
  catchUp: boolean;
  /**
   * Claimed as done, not built: a missed period claimed together with the current one goes into the
   * current one's digest (whose window reaches back over it), so a subscriber never gets two at once.
   */
  merged?: true;
}

/**
 * The shortest spacing between a digest's send time and the next one's, a third of a period: a change
 * of schedule (zone, hour, weekday) never sends a digest hard on the heels of the previous one.
 */
export const MIN_DIGEST_GAP_MS: Record<Exclude<Frequency, 'paused'>, number> = { daily: 8 * HOUR, weekly: 56 * HOUR };

/** Where a period of this schedule begins: local midnight, or local Monday midnight. */
export function periodStart(schedule: DeliverySchedule, at: Date): Date {
  const unit = schedule.frequency === 'weekly' ? 'week' : 'day';
  return rememberedInstant(`start ${unit} ${schedule.timezone} ${at.getTime()}`, () =>
    DateTime.fromJSDate(at, { zone: schedule.timezone }).startOf(unit).toJSDate(),
  );
}

/**
 * What the tick claims for a subscription at `now`: the period before the current one if it may have been
 * missed (missedPeriod), then the current one if due (duePeriod), each only when owed given the digests
 * already claimed (`recent`, newest first). None comes within MIN_DIGEST_GAP_MS of the newest digest; a
 * zone moved west gets its day under the key `<key>@<send time>`; a missed period owed with the current
 * one is `merged` into it. The rules and their reasons: docs/digest-semantics.md.
 */
export function periodsToClaim(
  schedule: DeliverySchedule,
  history: { activatedAt: Date; unchangedSince: Date; recent: readonly RecentDigest[] },
  now: Date,
): PlannedPeriod[] {
  if (schedule.frequency === 'paused') {
    return [];
  }
  const minGap = MIN_DIGEST_GAP_MS[schedule.frequency];
  const recent = [...history.recent].sort((a, b) => b.dueAt.getTime() - a.dueAt.getTime());
  const planned: PlannedPeriod[] = [];
  const candidates: [DigestPeriod | null, boolean][] = [
    [missedPeriod(schedule, history.unchangedSince, now), true],
    [duePeriod(schedule, history.activatedAt, now), false],
  ];
  for (const [period, catchUp] of candidates) {
    if (!period) {
      continue;
    }
    if (recent.length > 0 && period.dueAt.getTime() - recent[0].dueAt.getTime() < minGap) {
      continue;
    }
    const holder = recent.find((digest) => digest.key === period.key);
    if (holder && holder.dueAt >= periodStart(schedule, period.dueAt)) {
      continue;
    }
    const key = holder ? `${period.key}@${period.dueAt.toISOString()}` : period.key;
    planned.push({ key, dueAt: period.dueAt, catchUp });
    recent.unshift({ key, dueAt: period.dueAt });
  }
  if (planned.length === 2) {
    planned[0] = { ...planned[0], merged: true };
  }
  return planned;
}

/** The period a key names, for people: a key of its own (`2026-11-29@…`, see periodsToClaim) reads as its date. */
export function periodLabel(key: string): string {
  const at = key.indexOf('@');
  return at < 0 ? key : key.slice(0, at);
}
