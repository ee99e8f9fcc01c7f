export type Health = 'healthy' | 'degraded' | 'failing';

export interface HealthState {
  health: Health;
  reason: string | null;
}

/** Failed runs in a row after which a source is failing: one or two are retried transients. */
export const FAILING_AFTER = 3;

/** What one fetch of a source (one or more listing dates) came to. */
export type FetchVerdict =
  | {
      failed: true;
      error: string;
      /** Failed runs in a row, this one included. */
      consecutiveFailures: number;
      /** 410 Gone: the source was disabled. */
      gone: boolean;
    }
  | {
      failed: false;
      /** Items skipped as malformed, one line each. */
      skipped: string[];
      /** Settled listing dates on which the source should have listed something and listed nothing. */
      quietDays: string[];
    };

const MAX_REASON = 500;

/** How the reason of a source disabled by a 410 starts. */
export const GONE_REASON = 'gone, so disabled';

const clip = (text: string): string => (text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text);
const firstLine = (text: string): string => text.split('\n')[0];

/**
 * The health of a source after a fetch. A failure changes nothing until it is the third in a row (one
 * or two are transients the job's retries absorb), except a 410, which stops the source for good.
 * Skipped items and quiet days degrade it; a clean fetch makes it healthy again.
 */
export function assessHealth(current: HealthState, verdict: FetchVerdict): HealthState {
  if (verdict.failed) {
    if (verdict.gone) {
      return { health: 'failing', reason: clip(`${GONE_REASON}: ${firstLine(verdict.error)}`) };
    }
    if (verdict.consecutiveFailures >= FAILING_AFTER) {
      const reason = `${verdict.consecutiveFailures} failed runs in a row; last: ${firstLine(verdict.error)}`;
      return { health: 'failing', reason: clip(reason) };
    }
    return current;
  }
  if (verdict.skipped.length > 0) {
    const count = verdict.skipped.length;
    return {
      health: 'degraded',
      reason: clip(`${count} item${count === 1 ? '' : 's'} skipped as malformed, e.g. ${verdict.skipped[0]}`),
    };
  }
  if (verdict.quietDays.length > 0) {
    return { health: 'degraded', reason: `nothing listed on ${verdict.quietDays.join(', ')}, when the source lists` };
  }
  return { health: 'healthy', reason: null };
}
