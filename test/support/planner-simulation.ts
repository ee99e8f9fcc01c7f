import { DeliverySchedule, digestWindow, nextPlanningAt, periodsToClaim } from '@libs/domain';

export interface SimulatedDigest {
  key: string;
  dueAt: Date;
  /** The tick that claimed it. */
  at: Date;
  /** What its build selects as of: the send time for a catch-up, else the tick. */
  plannedFor: Date;
  /** The papers it chooses from: first listed in (listedAfter, plannedFor]. */
  listedAfter: Date;
  /** Claimed with the next one and sent in it (no window of its own). */
  merged?: true;
}

export interface ScheduleEdit {
  at: string;
  schedule: Partial<DeliverySchedule>;
}

const RECENT_DIGESTS = 3;

/**
 * The planner (apps/notifier/src/digest-planner.service.ts) and the build's window reduced to their
 * logic: a tick every minute while `up` says the notifier runs, subscriptions read when planAt has come
 * (or was reset by an edit), their last digests read with them, one claim per (subscription, key). An
 * edit changes the schedule and updatedAt (not activatedAt, as SubscriptionsService.update does) and
 * resets planAt; leaving 'paused' records resumedAt, as the replan trigger does.
 */
export function simulatePlanner(
  initial: DeliverySchedule,
  from: string,
  to: string,
  options: { edits?: ScheduleEdit[]; activatedAt?: Date; up?: (now: Date) => boolean } = {},
): SimulatedDigest[] {
  const edits = new Map((options.edits ?? []).map((edit) => [Date.parse(edit.at), edit.schedule]));
  const activatedAt = options.activatedAt ?? new Date('2020-01-01T00:00:00Z');
  let schedule = initial;
  let updatedAt = activatedAt;
  let resumedAt: Date | null = null;
  let planAt: Date | null = null;
  const ledger: SimulatedDigest[] = [];
  const keys = new Set<string>();
  // The minutes in which a tick does nothing (planAt still ahead, no edit) are skipped, not simulated.
  const nextTick = (t: number): number => {
    const minute = t + 60_000;
    if (options.up || !planAt || planAt.getTime() <= minute) {
      return minute;
    }
    const planned = Math.ceil(planAt.getTime() / 60_000) * 60_000;
    const edit = editTimes.find((at) => at >= minute) ?? Infinity;
    return Math.min(planned, edit);
  };
  const editTimes = [...edits.keys()].sort((a, b) => a - b);
  const end = Date.parse(to);
  for (let t = Date.parse(from); t < end; t = nextTick(t)) {
    const now = new Date(t);
    const edit = edits.get(t);
    if (edit) {
      if (schedule.frequency === 'paused' && edit.frequency && edit.frequency !== 'paused') {
        resumedAt = now;
      }
      schedule = { ...schedule, ...edit };
      updatedAt = now;
      planAt = null;
    }
    if (options.up && !options.up(now)) {
      continue;
    }
    if (planAt && planAt > now) {
      continue;
    }
    const recent = [...ledger].sort((a, b) => b.dueAt.getTime() - a.dueAt.getTime()).slice(0, RECENT_DIGESTS);
    const unchangedSince = new Date(Math.max(activatedAt.getTime(), updatedAt.getTime()));
    for (const period of periodsToClaim(schedule, { activatedAt, unchangedSince, recent }, now)) {
      if (keys.has(period.key)) {
        continue; // the unique (subscription, key) constraint
      }
      keys.add(period.key);
      const plannedFor = period.catchUp ? period.dueAt : now;
      const previous = ledger
        .filter((digest) => digest.dueAt < period.dueAt && !digest.merged)
        .sort((a, b) => b.dueAt.getTime() - a.dueAt.getTime())[0];
      const window = digestWindow(schedule.frequency, plannedFor, previous?.plannedFor ?? null, resumedAt);
      ledger.push({
        key: period.key,
        dueAt: period.dueAt,
        at: now,
        plannedFor,
        listedAfter: window.listedAfter,
        ...(period.merged ? { merged: true } : {}),
      });
    }
    planAt = nextPlanningAt(schedule, now) ?? new Date('9999-12-31T00:00:00Z');
  }
  return ledger.sort((a, b) => a.at.getTime() - b.at.getTime() || a.dueAt.getTime() - b.dueAt.getTime());
}

/** Stretches of listing time no digest's window covered, between the first digest's end and the last's. */
export function uncovered(digests: SimulatedDigest[]): string[] {
  const byEnd = digests.filter((digest) => !digest.merged).sort((a, b) => a.plannedFor.getTime() - b.plannedFor.getTime());
  const gaps: string[] = [];
  for (let i = 1; i < byEnd.length; i++) {
    if (byEnd[i].listedAfter > byEnd[i - 1].plannedFor) {
      gaps.push(`${byEnd[i - 1].plannedFor.toISOString()} .. ${byEnd[i].listedAfter.toISOString()}`);
    }
  }
  return gaps;
}
