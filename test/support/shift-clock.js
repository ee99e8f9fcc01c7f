// With TEST_CLOCK_AT set (scripts/test-at-hours.sh), the test process and the services it starts live at
// that instant: Date runs on from it at real speed (timers stay real), and the services it starts get
// CLOCK_START at their start (childClockEnv in test-clock.ts).
const at = process.env.TEST_CLOCK_AT;
if (at) {
  const start = new Date(at);
  if (Number.isNaN(start.getTime())) {
    throw new Error(`TEST_CLOCK_AT must be an ISO-8601 instant (got "${at}")`);
  }
  jest.useFakeTimers({
    now: start,
    advanceTimers: true,
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
}
