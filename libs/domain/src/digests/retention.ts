import { MAX_LOOKBACK_DAYS } from './schedule';

const DAY_MS = 24 * 3600_000;

/**
 * The shortest RETENTION_DAYS allowed: well beyond the furthest any digest looks back (MAX_LOOKBACK_DAYS,
 * 28 days for a weekly one), which is what makes pruning older ledger rows safe (see retentionCutoff).
 */
export const MIN_RETENTION_DAYS = 60;

/**
 * Ledger rows (digests with their papers and deliveries, fetch runs) from before this instant may go.
 *
 * Why a pruned digest's papers cannot be sent again: a paper is a candidate only while its `listedAt` lies
 * in the digest's window, and the window never starts before `asOf - MAX_LOOKBACK_DAYS` (digestWindow). A
 * paper a digest held was listed by the instant that digest was planned for, and a paper's `listedAt`
 * only ever moves earlier (a merge keeps the earliest). So once a digest was planned for more than the
 * longest lookback before now, none of its papers can fall in any window from now on, and its
 * digest_papers rows no longer guard anything. retention.spec.ts checks the window side case by case.
 */
export function retentionCutoff(now: Date, retentionDays: number): Date {
  if (!(retentionDays >= MIN_RETENTION_DAYS)) {
    throw new RangeError(`retention must be at least ${MIN_RETENTION_DAYS} days (got ${retentionDays})`);
  }
  return new Date(now.getTime() - retentionDays * DAY_MS);
}

/** The furthest back any digest planned at `asOf` or later can look for papers. */
export function earliestListingAnyWindowReads(asOf: Date): Date {
  return new Date(asOf.getTime() - Math.max(...Object.values(MAX_LOOKBACK_DAYS)) * DAY_MS);
}
