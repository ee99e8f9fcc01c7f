/**
 * The instant a time-dependent test acts at. Tests never read the wall clock for what is due: they act
 * at this instant, given to the services as CLOCK_START. CI runs the time-dependent suites at several
 * hours of the day and on a daylight-saving day by setting TEST_CLOCK_AT (scripts/test-at-hours.sh).
 */
export function testInstant(): Date {
  const given = process.env.TEST_CLOCK_AT;
  const instant = new Date(given ?? DEFAULT_INSTANT);
  if (Number.isNaN(instant.getTime())) {
    throw new Error(`TEST_CLOCK_AT must be an ISO-8601 instant (got "${given}")`);
  }
  return instant;
}

/** An ordinary weekday in the middle of a month, away from any daylight-saving change. */
const DEFAULT_INSTANT = '2026-11-18T10:30:00Z';

export const HOUR_MS = 3_600_000;

/**
 * The clock a service started by a test takes: with TEST_CLOCK_AT set, the test process's Date is shifted
 * (shift-clock.js), and a child starts at the test's now. Empty otherwise (the wall clock).
 */
export function childClockEnv(): NodeJS.ProcessEnv {
  return process.env.TEST_CLOCK_AT ? { CLOCK_START: new Date().toISOString() } : {};
}
