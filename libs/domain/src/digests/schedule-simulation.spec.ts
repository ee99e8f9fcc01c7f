import { DateTime } from 'luxon';
import { simulatePlanner, uncovered } from '../../../../test/support/planner-simulation';
import { DeliverySchedule } from './schedule';

/** The planner simulated a minute at a time across daylight-saving changes: which digest each period gets, and when. */
function claimedByKey(schedule: DeliverySchedule, from: string, to: string): Map<string, Date> {
  return new Map(simulatePlanner(schedule, from, to).map((digest) => [digest.key, digest.at]));
}

const zones = [
  'Europe/Berlin',
  'America/New_York',
  'Australia/Lord_Howe',
  'America/Santiago',
  'America/Havana',
  'Asia/Tehran',
  'Pacific/Apia',
  'America/Sao_Paulo',
];
const windows: [string, string][] = [
  ['2026-03-05T00:00:00Z', '2026-04-10T00:00:00Z'],
  ['2026-09-01T00:00:00Z', '2026-11-10T00:00:00Z'],
];

describe('schedule simulated minute by minute across daylight-saving changes', () => {
  for (const zone of zones) {
    it(`daily: every local day of ${zone} gets exactly one digest, at or after its send hour, for every hour`, () => {
      const problems: string[] = [];
      for (const [from, to] of windows) {
        for (let hour = 0; hour < 24; hour++) {
          const schedule: DeliverySchedule = { frequency: 'daily', timezone: zone, sendHour: hour, weekday: 1 };
          const digests = simulatePlanner(schedule, from, to);
          const claimed = new Map(digests.map((digest) => [digest.key, digest.at]));
          if (claimed.size !== digests.length) {
            problems.push(`${zone} h${hour}: a key claimed twice`);
          }
          problems.push(...uncovered(digests).map((gap) => `${zone} h${hour}: no window covers ${gap}`));
          // every local date strictly inside the window
          let day = DateTime.fromISO(from, { zone }).plus({ days: 2 }).startOf('day');
          const end = DateTime.fromISO(to, { zone }).minus({ days: 2 });
          while (day < end) {
            const key = day.toISODate() as string;
            const at = claimed.get(key);
            if (!at) {
              problems.push(`${zone} h${hour} ${key}: never claimed`);
            } else {
              const local = DateTime.fromJSDate(at, { zone });
              if (local.toISODate() !== key) {
                problems.push(`${zone} h${hour} ${key}: claimed on local ${local.toISO()}`);
              } else if (local.hour < hour && local.hour !== 0) {
                problems.push(`${zone} h${hour} ${key}: claimed early at ${local.toISO()}`);
              }
            }
            day = day.plus({ days: 1 });
          }
        }
      }
      expect(problems).toEqual([]);
    });
  }

  it('weekly: every ISO week gets one digest on the chosen weekday', () => {
    const problems: string[] = [];
    for (const zone of ['Europe/Berlin', 'Australia/Lord_Howe', 'America/Santiago', 'America/Havana']) {
      for (const [from, to] of windows) {
        for (const hour of [0, 1, 2, 23]) {
          for (let weekday = 1; weekday <= 7; weekday++) {
            const claimed = claimedByKey({ frequency: 'weekly', timezone: zone, sendHour: hour, weekday }, from, to);
            for (const [key, at] of claimed) {
              if (at.getTime() === Date.parse(from)) {
                continue; // the first tick's catch-up
              }
              const local = DateTime.fromJSDate(at, { zone });
              const week = `${local.weekYear}-W${String(local.weekNumber).padStart(2, '0')}`;
              if (week !== key || local.weekday !== weekday) {
                problems.push(`${zone} h${hour} wd${weekday} ${key} at ${local.toISO()}`);
              }
            }
            if (claimed.size < 4) {
              problems.push(`${zone} h${hour} wd${weekday}: only ${claimed.size}`);
            }
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
