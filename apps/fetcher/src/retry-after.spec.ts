import { RetryLaterError } from '@libs/domain';
import { retryLaterIfAsked } from './source-fetcher.service';
import { FAILING_AFTER } from './source-health';
import { parseRetryAfter, UpstreamError, UpstreamRetryAfterError } from './sources/shared/source-client';

describe('parseRetryAfter', () => {
  const now = new Date('2026-11-28T12:00:00Z');

  it('should read delay-seconds and HTTP-dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Sat, 28 Nov 2026 12:01:30 GMT', now)).toBe(90_000);
  });

  it('should treat a past date as now and ignore what it cannot read', () => {
    expect(parseRetryAfter('Sat, 28 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
  });
});

describe('retryLaterIfAsked', () => {
  const limited = (ms: number): UpstreamRetryAfterError =>
    new UpstreamRetryAfterError('Source "hf": … answered HTTP 429 (Retry-After: 30)', 429, ms);

  it("should delay the job by the upstream's Retry-After, at least a second", () => {
    const delayed = retryLaterIfAsked(limited(30_000), 1);
    expect(delayed).toBeInstanceOf(RetryLaterError);
    expect((delayed as RetryLaterError).delayMs).toBe(30_000);
    expect((delayed as RetryLaterError).message).toBe('Source "hf": … answered HTTP 429 (Retry-After: 30)');
    expect((retryLaterIfAsked(limited(0), 1) as RetryLaterError).delayMs).toBe(1000);
  });

  it("should leave the error to the job's backoff once the source is failing, when too far off, or without Retry-After", () => {
    const failing = limited(30_000);
    expect(retryLaterIfAsked(failing, FAILING_AFTER)).toBe(failing);
    const farOff = limited(2 * 3600_000);
    expect(retryLaterIfAsked(farOff, 1)).toBe(farOff);
    const plain = new UpstreamError('HTTP 503', 503);
    expect(retryLaterIfAsked(plain, 1)).toBe(plain);
    expect(retryLaterIfAsked(failing, null)).toBe(failing);
  });
});
