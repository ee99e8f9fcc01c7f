import { currentPeriod, DeliverySchedule, duePeriod, missedPeriod, nextPlanningAt } from './schedule';

const daily = (timezone: string, sendHour: number): DeliverySchedule => ({
  frequency: 'daily',
  timezone,
  sendHour,
  weekday: 1,
});
const at = (iso: string): Date => new Date(iso);
const longAgo = at('2020-01-01T00:00:00Z');

describe('duePeriod', () => {
  it('should be due once the local send hour has passed, keyed by the local date', () => {
    const schedule = daily('Asia/Tokyo', 8); // 08:00 JST = 23:00 UTC the day before
    expect(duePeriod(schedule, longAgo, at('2026-11-27T22:59:00Z'))).toBeNull();
    expect(duePeriod(schedule, longAgo, at('2026-11-27T23:00:00Z'))).toEqual({
      key: '2026-11-28',
      dueAt: at('2026-11-27T23:00:00Z'),
    });
  });

  it('should keep the same key all local day long, so a period gets one digest', () => {
    const schedule = daily('America/New_York', 7);
    const morning = duePeriod(schedule, longAgo, at('2026-11-28T12:30:00Z'));
    const night = duePeriod(schedule, longAgo, at('2026-11-29T04:30:00Z'));
    expect(morning?.key).toBe('2026-11-28');
    expect(night?.key).toBe('2026-11-28');
  });

  it('should still send once when the send hour is skipped by daylight saving', () => {
    // Europe/Paris skipped 02:00-03:00 on 2026-03-29.
    const period = duePeriod(daily('Europe/Paris', 2), longAgo, at('2026-03-29T02:00:00Z'));
    expect(period?.key).toBe('2026-03-29');
    expect(period?.dueAt.toISOString()).toBe('2026-03-29T01:00:00.000Z');
  });

  it('should use the first of the repeated hours when clocks go back', () => {
    // Europe/Paris repeated 02:00-03:00 on 2026-10-25; 02:00 CEST is 00:00Z.
    const period = currentPeriod(daily('Europe/Paris', 2), at('2026-10-25T12:00:00Z'));
    expect(period?.dueAt.toISOString()).toBe('2026-10-25T00:00:00.000Z');
  });

  it('should make weekly digests due on the chosen weekday, keyed by ISO week', () => {
    const schedule: DeliverySchedule = { frequency: 'weekly', timezone: 'UTC', sendHour: 9, weekday: 5 };
    expect(duePeriod(schedule, longAgo, at('2026-11-26T10:00:00Z'))).toBeNull(); // Thursday
    expect(duePeriod(schedule, longAgo, at('2026-11-27T09:00:00Z'))?.key).toBe('2026-W48'); // Friday
    expect(duePeriod(schedule, longAgo, at('2026-11-29T23:00:00Z'))?.key).toBe('2026-W48'); // Sunday
  });

  it('should not send a period whose send time came before the subscription was activated', () => {
    const schedule = daily('UTC', 8);
    expect(duePeriod(schedule, at('2026-11-28T10:00:00Z'), at('2026-11-28T11:00:00Z'))).toBeNull();
    expect(duePeriod(schedule, at('2026-11-28T10:00:00Z'), at('2026-11-29T08:00:00Z'))?.key).toBe('2026-11-29');
  });

  it('should never be due when paused', () => {
    expect(duePeriod({ ...daily('UTC', 0), frequency: 'paused' }, longAgo, at('2026-11-28T11:00:00Z'))).toBeNull();
  });
});

describe('missedPeriod', () => {
  it('should be the previous local day or ISO week, once its send time has passed', () => {
    expect(missedPeriod(daily('Asia/Tokyo', 8), longAgo, at('2026-11-28T02:00:00Z'))).toEqual({
      key: '2026-11-27',
      dueAt: at('2026-11-26T23:00:00Z'),
    });
    const weekly: DeliverySchedule = { frequency: 'weekly', timezone: 'UTC', sendHour: 9, weekday: 5 };
    expect(missedPeriod(weekly, longAgo, at('2026-11-25T10:00:00Z'))?.key).toBe('2026-W47');
  });

  it('should not be owed to a subscription created, resumed or edited after that send time, nor when paused', () => {
    const schedule = daily('UTC', 8);
    expect(missedPeriod(schedule, at('2026-11-27T07:59:00Z'), at('2026-11-28T01:00:00Z'))?.key).toBe('2026-11-27');
    expect(missedPeriod(schedule, at('2026-11-27T08:01:00Z'), at('2026-11-28T01:00:00Z'))).toBeNull();
    expect(missedPeriod({ ...schedule, frequency: 'paused' }, longAgo, at('2026-11-28T01:00:00Z'))).toBeNull();
  });

  it('should name the day before across a daylight-saving change', () => {
    // Europe/Paris skipped 02:00-03:00 on 2026-03-29: the day before still had its 02:00.
    const period = missedPeriod(daily('Europe/Paris', 2), longAgo, at('2026-03-29T00:30:00Z'));
    expect(period).toEqual({ key: '2026-03-28', dueAt: at('2026-03-28T01:00:00Z') });
  });
});

describe('nextPlanningAt', () => {
  it("should be today's send time before it, and tomorrow's once it has passed", () => {
    const schedule = daily('Europe/Paris', 8); // 08:00 CET = 07:00 UTC
    expect(nextPlanningAt(schedule, at('2026-11-28T06:00:00Z'))).toEqual(at('2026-11-28T07:00:00Z'));
    expect(nextPlanningAt(schedule, at('2026-11-28T07:00:00Z'))).toEqual(at('2026-11-29T07:00:00Z'));
    expect(nextPlanningAt(schedule, at('2026-11-28T22:30:00Z'))).toEqual(at('2026-11-29T07:00:00Z'));
  });

  it('should land on the send time that the next day really has across daylight-saving changes', () => {
    // Spring forward in Paris on 2026-03-29: 08:00 is 06:00 UTC from that day on.
    expect(nextPlanningAt(daily('Europe/Paris', 8), at('2026-03-28T08:00:00Z'))).toEqual(at('2026-03-29T06:00:00Z'));
    // New York skips 02:00 on 2026-03-08: the digest is due at 03:00 EDT, as duePeriod has it.
    const skipped = daily('America/New_York', 2);
    const planned = nextPlanningAt(skipped, at('2026-03-07T12:00:00Z')) as Date;
    expect(planned).toEqual(at('2026-03-08T07:00:00Z'));
    expect(duePeriod(skipped, longAgo, planned)?.key).toBe('2026-03-08');
  });

  it("should be the chosen weekday's send time for weekly digests, this week's or next week's", () => {
    const weekly: DeliverySchedule = { frequency: 'weekly', timezone: 'UTC', sendHour: 9, weekday: 5 };
    expect(nextPlanningAt(weekly, at('2026-11-25T12:00:00Z'))).toEqual(at('2026-11-27T09:00:00Z')); // Wed → Fri
    expect(nextPlanningAt(weekly, at('2026-11-27T09:30:00Z'))).toEqual(at('2026-12-04T09:00:00Z'));
  });

  it('should be null when paused', () => {
    expect(nextPlanningAt({ ...daily('UTC', 8), frequency: 'paused' }, at('2026-11-28T06:00:00Z'))).toBeNull();
  });
});
