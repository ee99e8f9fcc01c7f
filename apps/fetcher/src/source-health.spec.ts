import { assessHealth, FAILING_AFTER, HealthState } from './source-health';

describe('assessHealth', () => {
  const healthy: HealthState = { health: 'healthy', reason: null };
  const degraded: HealthState = { health: 'degraded', reason: '1 item skipped as malformed, e.g. x' };
  const failed = (consecutiveFailures: number, gone = false) =>
    ({
      failed: true,
      error: 'GET https://example.org/feed: no complete response within 30000 ms',
      consecutiveFailures,
      gone,
    }) as const;
  const succeeded = (skipped: string[] = [], quietDays: string[] = []) =>
    ({ failed: false, skipped, quietDays }) as const;

  it('should leave the health alone for the first failures in a row', () => {
    expect(assessHealth(healthy, failed(1))).toEqual(healthy);
    expect(assessHealth(degraded, failed(FAILING_AFTER - 1))).toEqual(degraded);
  });

  it('should call a source failing from the third failure in a row, naming the last error', () => {
    expect(assessHealth(healthy, failed(3))).toEqual({
      health: 'failing',
      reason: '3 failed runs in a row; last: GET https://example.org/feed: no complete response within 30000 ms',
    });
    expect(assessHealth(healthy, failed(7)).reason).toMatch(/^7 failed runs in a row/);
  });

  it('should call a gone source failing at once', () => {
    expect(assessHealth(healthy, { ...failed(1, true), error: 'https://example.org/feed answered HTTP 410' })).toEqual({
      health: 'failing',
      reason: 'gone, so disabled: https://example.org/feed answered HTTP 410',
    });
  });

  it('should degrade a source that skipped items or was quiet on a listing day', () => {
    expect(assessHealth(healthy, succeeded(['item 2 (x): no title', 'item 5 (y): no title']))).toEqual({
      health: 'degraded',
      reason: '2 items skipped as malformed, e.g. item 2 (x): no title',
    });
    expect(assessHealth(healthy, succeeded([], ['2026-11-25', '2026-11-27']))).toEqual({
      health: 'degraded',
      reason: 'nothing listed on 2026-11-25, 2026-11-27, when the source lists',
    });
  });

  it('should make a source healthy again after a clean fetch', () => {
    expect(assessHealth({ health: 'failing', reason: '3 failed runs in a row' }, succeeded())).toEqual(healthy);
    expect(assessHealth(degraded, succeeded())).toEqual(healthy);
  });

  it('should keep a reason short', () => {
    const reason = assessHealth(healthy, succeeded([`item 1: ${'x'.repeat(2000)}`])).reason ?? '';
    expect(reason.length).toBe(500);
    expect(reason.endsWith('…')).toBe(true);
  });
});
