import { simulatePlanner, uncovered } from '../../../../test/support/planner-simulation';
import {
  currentPeriod,
  DeliverySchedule,
  digestWindow,
  duePeriod,
  missedPeriod,
  nextPlanningAt,
  periodLabel,
  periodsToClaim,
} from './schedule';

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

describe('digestWindow', () => {
  const asOf = at('2026-11-28T08:00:00Z');

  it('should look back the default for a first digest, and as far as the previous digest ended (less a day) after a gap', () => {
    expect(digestWindow('daily', asOf, null, null).listedAfter).toEqual(at('2026-11-26T08:00:00Z'));
    expect(digestWindow('weekly', asOf, null, null).listedAfter).toEqual(at('2026-11-20T08:00:00Z'));
    // The day before: the default (the previous window's end less the day of grace for late papers).
    expect(digestWindow('daily', asOf, at('2026-11-27T08:00:00Z'), null).listedAfter).toEqual(
      at('2026-11-26T08:00:00Z'),
    );
    // Five days of outage: from the previous digest's end, less the grace.
    expect(digestWindow('daily', asOf, at('2026-11-23T08:00:00Z'), null).listedAfter).toEqual(
      at('2026-11-22T08:00:00Z'),
    );
    expect(digestWindow('daily', asOf, at('2026-11-23T08:00:00Z'), null).listedUntil).toEqual(asOf);
  });

  it('should never look back less than the default, nor more than the maximum', () => {
    expect(digestWindow('daily', asOf, at('2026-11-28T01:00:00Z'), null).listedAfter).toEqual(
      at('2026-11-26T08:00:00Z'),
    );
    expect(digestWindow('daily', asOf, at('2026-09-01T08:00:00Z'), null).listedAfter).toEqual(
      at('2026-11-14T08:00:00Z'),
    );
    expect(digestWindow('weekly', asOf, at('2026-09-01T08:00:00Z'), null).listedAfter).toEqual(
      at('2026-10-31T08:00:00Z'),
    );
  });

  it('should not reach back into a pause: a resumed subscription starts at the resume, or the default if earlier', () => {
    const previous = at('2026-11-01T08:00:00Z');
    expect(digestWindow('daily', asOf, previous, at('2026-11-27T20:00:00Z')).listedAfter).toEqual(
      at('2026-11-26T08:00:00Z'),
    );
    expect(digestWindow('daily', asOf, previous, at('2026-11-24T20:00:00Z')).listedAfter).toEqual(
      at('2026-11-24T20:00:00Z'),
    );
    // A resume before the previous digest changes nothing.
    expect(digestWindow('daily', asOf, at('2026-11-23T08:00:00Z'), at('2026-11-20T00:00:00Z')).listedAfter).toEqual(
      at('2026-11-22T08:00:00Z'),
    );
  });
});

describe('periodsToClaim', () => {
  const history = (recent: { key: string; dueAt: string }[]) => ({
    activatedAt: longAgo,
    unchangedSince: longAgo,
    recent: recent.map((digest) => ({ key: digest.key, dueAt: at(digest.dueAt) })),
  });

  it('should claim the due period and a missed one, the missed one merged into the due one', () => {
    expect(
      periodsToClaim(
        daily('UTC', 8),
        history([{ key: '2026-11-26', dueAt: '2026-11-26T08:00:00Z' }]),
        at('2026-11-28T09:00:00Z'),
      ),
    ).toEqual([
      { key: '2026-11-27', dueAt: at('2026-11-27T08:00:00Z'), catchUp: true, merged: true },
      { key: '2026-11-28', dueAt: at('2026-11-28T08:00:00Z'), catchUp: false },
    ]);
  });

  it('should build a missed period alone when the current one is not due yet', () => {
    const planned = periodsToClaim(
      daily('UTC', 8),
      history([{ key: '2026-11-26', dueAt: '2026-11-26T08:00:00Z' }]),
      at('2026-11-28T05:00:00Z'),
    );
    expect(planned).toEqual([{ key: '2026-11-27', dueAt: at('2026-11-27T08:00:00Z'), catchUp: true }]);
    expect(planned[0].merged).toBeUndefined();
  });

  it('should claim nothing already claimed', () => {
    const recent = history([
      { key: '2026-11-28', dueAt: '2026-11-28T08:00:00Z' },
      { key: '2026-11-27', dueAt: '2026-11-27T08:00:00Z' },
    ]);
    expect(periodsToClaim(daily('UTC', 8), recent, at('2026-11-28T20:00:00Z'))).toEqual([]);
  });

  it("should give a zone moved west after today's digest the new zone's day, under a key of its own", () => {
    // Tokyo's 2026-11-29 went out at 23:00Z on 11-28, the evening before in UTC.
    const recent = history([{ key: '2026-11-29', dueAt: '2026-11-28T23:00:00Z' }]);
    const [period] = periodsToClaim(daily('UTC', 8), recent, at('2026-11-29T08:00:00Z'));
    expect(period).toEqual({
      key: '2026-11-29@2026-11-29T08:00:00.000Z',
      dueAt: at('2026-11-29T08:00:00Z'),
      catchUp: false,
    });
    expect(periodLabel(period.key)).toBe('2026-11-29');
    // Berlin's 00:00 is 23:00Z: London's day after starts an hour later; one digest an hour after another is not sent.
    const berlin = history([{ key: '2026-11-29', dueAt: '2026-11-28T23:00:00Z' }]);
    expect(periodsToClaim(daily('Europe/London', 0), berlin, at('2026-11-29T00:00:00Z'))).toEqual([]);
  });

  it('should never send a zone moved east a period the last digest covered', () => {
    // New York 23:00 (04:00Z), then Tokyo 08:00: Tokyo's day began before, its 08:00 was 23:00Z the day before.
    const recent = history([{ key: '2026-11-28', dueAt: '2026-11-29T04:00:00Z' }]);
    expect(periodsToClaim(daily('Asia/Tokyo', 8), recent, at('2026-11-29T04:30:00Z'))).toEqual([]);
    // Berlin 08:00 comes three hours after it: too close.
    expect(periodsToClaim(daily('Europe/Berlin', 8), recent, at('2026-11-29T07:00:00Z'))).toEqual([]);
    // UTC 08:00 to Tokyo 08:00 at 09:00Z: Tokyo's day of the same date had its digest.
    const utc = history([{ key: '2026-11-29', dueAt: '2026-11-29T08:00:00Z' }]);
    expect(periodsToClaim(daily('Asia/Tokyo', 8), utc, at('2026-11-29T09:00:00Z'))).toEqual([]);
  });

  it('should keep one digest a local day when the hour moves later in the same zone', () => {
    const recent = history([{ key: '2026-11-29', dueAt: '2026-11-29T08:00:00Z' }]);
    expect(periodsToClaim(daily('UTC', 18), recent, at('2026-11-29T18:00:00Z'))).toEqual([]);
  });
});

/** The planner over days, with the subscriber's edits: which digests go out, and which listing time they cover. */
describe('schedule edits and outages, simulated', () => {
  const HOUR = 3600_000;

  it('weekly: moving the weekday later after this week was sent loses no paper listed in between', () => {
    // Monday digests; on Tuesday after Monday's digest the subscriber picks Sunday instead.
    const digests = simulatePlanner(
      { frequency: 'weekly', timezone: 'UTC', sendHour: 8, weekday: 1 },
      '2026-11-16T09:00:00Z',
      '2026-12-08T00:00:00Z',
      {
        edits: [{ at: '2026-11-24T10:00:00Z', schedule: { weekday: 7 } }],
      },
    );
    // W48 was sent on Monday 11-23 and keeps its one digest; the next is Sunday 12-06, 13 days later, and reaches back to Monday's.
    // (W46 and W47 are the first tick's catch-up and due period.)
    expect(digests.map((digest) => digest.key)).toEqual(['2026-W46', '2026-W47', '2026-W48', '2026-W49']);
    expect(uncovered(digests)).toEqual([]);
  });

  it('daily: a time zone moved west after today’s digest still gets the new zone’s day', () => {
    // Tokyo 08:00 (23:00Z the day before); at 01:00Z on 11-29 the subscriber moves to UTC, still 08:00.
    const digests = simulatePlanner(daily('Asia/Tokyo', 8), '2026-11-26T00:00:00Z', '2026-12-01T00:00:00Z', {
      edits: [{ at: '2026-11-29T01:00:00Z', schedule: { timezone: 'UTC' } }],
    });
    const sentOnUtcDay = (day: string) => digests.filter((digest) => digest.at.toISOString().startsWith(day)).length;
    expect(sentOnUtcDay('2026-11-29')).toBe(1);
    expect(sentOnUtcDay('2026-11-30')).toBe(1);
    expect(uncovered(digests)).toEqual([]);
  });

  it('daily: a time zone moved east never sends two digests hours apart', () => {
    for (const [from, to] of [
      ['America/New_York', 'Asia/Tokyo'],
      ['UTC', 'Asia/Tokyo'],
      ['Pacific/Honolulu', 'Pacific/Kiritimati'],
      ['America/Los_Angeles', 'Europe/Berlin'],
    ]) {
      for (let hour = 0; hour < 24; hour += 2) {
        for (let editHour = 0; editHour < 24; editHour += 4) {
          const edit = `2026-11-29T${String(editHour).padStart(2, '0')}:00:00Z`;
          const digests = simulatePlanner(daily(from, hour), '2026-11-26T00:00:00Z', '2026-12-03T00:00:00Z', {
            edits: [{ at: edit, schedule: { timezone: to } }],
          });
          for (let i = 1; i < digests.length; i++) {
            const gap = digests[i].dueAt.getTime() - digests[i - 1].dueAt.getTime();
            expect({ from, to, hour, edit, gap: gap >= 8 * HOUR }).toEqual({ from, to, hour, edit, gap: true });
          }
          expect(uncovered(digests)).toEqual([]);
        }
      }
    }
  });

  it('daily: an outage of days loses no paper, and a pause does not bring back the papers of the pause', () => {
    const down = (now: Date) => now < at('2026-11-20T05:00:00Z') || now >= at('2026-11-25T12:00:00Z');
    const afterOutage = simulatePlanner(daily('UTC', 8), '2026-11-16T00:00:00Z', '2026-11-28T00:00:00Z', { up: down });
    // 11-20 .. 11-24 were never seen due; 11-24 is caught up as of its send time, then 11-25.
    expect(afterOutage.filter((digest) => digest.at >= at('2026-11-25T12:00:00Z')).map((digest) => digest.key)).toEqual(
      ['2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27'],
    );
    expect(uncovered(afterOutage)).toEqual([]);

    const paused = simulatePlanner(daily('UTC', 8), '2026-10-01T00:00:00Z', '2026-11-28T00:00:00Z', {
      edits: [
        { at: '2026-10-05T12:00:00Z', schedule: { frequency: 'paused' } },
        { at: '2026-11-20T12:00:00Z', schedule: { frequency: 'daily' } },
      ],
    });
    // The first digest after the resume looks back its default two days, not to the digest before the pause.
    const resumed = paused.find((digest) => digest.key === '2026-11-21');
    expect(resumed?.listedAfter).toEqual(at('2026-11-19T08:00:00Z'));
  });
});
