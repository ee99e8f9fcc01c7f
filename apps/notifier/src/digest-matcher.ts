import { Injectable } from '@nestjs/common';
import { DigestRepository, DigestSelection, SubscriptionEntity } from '@libs/database';
import { CandidatePaper, keywordKey, rankCandidates } from '@libs/domain';

/** A loaded value shared by every digest built within its lifetime; a failed load is not kept. */
interface Entry<T> {
  value: Promise<T>;
  expires: number;
}

const TTL_MS = 10_000;
const MAX_WINDOWS = 16;
const MAX_KEYWORD_LISTS = 2_000;

/**
 * Chooses a digest's candidate papers in memory. A fan-out builds thousands of digests over the same
 * window (every digest of one tick is planned for the same instant): the window's papers are read once,
 * and each distinct keyword list is searched once, instead of one full-text query per subscription.
 * Entries live ten seconds, so a paper that becomes ready during a fan-out can miss the digests built in
 * those seconds, as it could miss the ones built just before it; it is not lost, the next digest within
 * its lookback has it. What each digest holds is then fixed by the ledger.
 */
@Injectable()
export class DigestMatcher {
  private readonly windows = new Map<string, Entry<CandidatePaper[]>>();
  private readonly keywords = new Map<string, Entry<Map<string, number>>>();

  constructor(private readonly digests: DigestRepository) {}

  /** Every paper of the window the subscription's digest may hold, best first (not yet capped). */
  async rank(subscription: SubscriptionEntity, window: DigestSelection): Promise<string[]> {
    const windowKey = `${window.listedAfter.getTime()}:${window.listedUntil.getTime()}`;
    const [candidates, ranks] = await Promise.all([
      this.cached(this.windows, windowKey, MAX_WINDOWS, () => this.digests.candidatesIn(window)),
      subscription.keywords.length > 0
        ? this.cached(this.keywords, `${windowKey}:${keywordKey(subscription.keywords)}`, MAX_KEYWORD_LISTS, () =>
            this.digests.keywordRanks(window, subscription.keywords),
          )
        : null,
    ]);
    return rankCandidates(candidates, subscription, ranks);
  }

  /** Forgets every window and keyword search read so far: the next digests read the papers afresh. */
  clear(): void {
    this.windows.clear();
    this.keywords.clear();
  }

  private cached<T>(entries: Map<string, Entry<T>>, key: string, max: number, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const entry = entries.get(key);
    if (entry && entry.expires > now) {
      return entry.value;
    }
    entries.delete(key);
    while (entries.size >= max) {
      entries.delete(entries.keys().next().value as string);
    }
    const value = load();
    entries.set(key, { value, expires: now + TTL_MS });
    value.catch(() => {
      if (entries.get(key)?.value === value) {
        entries.delete(key);
      }
    });
    return value;
  }
}
