import type { CandidatePaper, DigestFilter } from '../digests/selection';

/** Why a paper is in a for-you digest: the model picked it, or it is an explore slot. */
export type PickPolicy = 'model' | 'explore';

/** The candidates of a window in one order: ids and upvotes; scores come per subscriber in the same order. */
export interface CandidateList {
  ids: readonly string[];
  upvotes: ArrayLike<number>;
}

export interface DigestPick {
  id: string;
  policy: PickPolicy;
  score: number;
}

/** Explore slots a digest of this cap gets: 2 from 8 papers, 1 from 4, none below (the picks come first). */
export function exploreSlots(maxPapers: number): number {
  return Math.min(2, Math.floor(maxPapers / 4));
}

/**
 * A for-you digest: the best-scored eligible papers, and in up to two slots the best-upvoted papers the
 * model scores low (at most the eligible candidates' mean score), so the subscriber sees what else is
 * popular and their votes on those teach the model what it does not know yet. Ties go to upvotes, then
 * candidate order. `eligible` (1 = may be sent) carries the subscription's filters and the ledger; all
 * are eligible without it. Linear in the candidates: it runs once per subscriber.
 */
export function pickForYou(
  candidates: CandidateList,
  scores: ArrayLike<number>,
  maxPapers: number,
  eligible?: Uint8Array,
): DigestPick[] {
  const { ids, upvotes } = candidates;
  const better = (a: number, b: number): boolean =>
    scores[a] > scores[b] ||
    (scores[a] === scores[b] && (upvotes[a] > upvotes[b] || (upvotes[a] === upvotes[b] && a < b)));
  const top: number[] = [];
  let count = 0;
  let total = 0;
  for (let i = 0; i < ids.length; i++) {
    if (eligible && !eligible[i]) {
      continue;
    }
    count += 1;
    total += scores[i];
    if (top.length === maxPapers && !better(i, top[top.length - 1])) {
      continue;
    }
    let at = top.length;
    while (at > 0 && better(i, top[at - 1])) {
      at -= 1;
    }
    top.splice(at, 0, i);
    if (top.length > maxPapers) {
      top.pop();
    }
  }
  const explore: number[] = [];
  const slots = count > maxPapers ? exploreSlots(maxPapers) : 0;
  if (slots > 0) {
    const mean = total / count;
    // Only the papers sure to be model picks are off limits: a low-scored paper that would fill a slot
    // of the cap if no explore pick came is still the better explore pick.
    const inTop = new Set(top.slice(0, maxPapers - slots));
    for (let i = 0; i < ids.length; i++) {
      if ((eligible && !eligible[i]) || inTop.has(i) || scores[i] > mean || upvotes[i] <= 0) {
        continue;
      }
      let at = explore.length;
      while (at > 0 && upvotes[i] > upvotes[explore[at - 1]]) {
        at -= 1;
      }
      if (at < slots) {
        explore.splice(at, 0, i);
        explore.length = Math.min(explore.length, slots);
      }
    }
  }
  const explored = new Set(explore);
  return [
    ...top
      .filter((i) => !explored.has(i))
      .slice(0, maxPapers - explore.length)
      .map((i) => ({ id: ids[i], policy: 'model' as const, score: scores[i] })),
    ...explore.map((i) => ({ id: ids[i], policy: 'explore' as const, score: scores[i] })),
  ];
}

/**
 * What matching the subscription's own filters adds to a for-you score, once for its topics and once
 * for its keywords: the subscriber said what they follow, so among the candidates (papers matching
 * either) those matching both come first unless the model clearly prefers another. Scores of unit-norm
 * models stay well below 1, so a strong model match can still outrank a filter match. Chosen on the
 * validation days of bench:ranking (`--tune`), never on its test days.
 */
export const INTEREST_MATCH_BOOST = 0.2;

/**
 * Adds the interest boost to each candidate's score (in candidate order): `boost` if it has one of the subscription's topics, and again if it matches its keywords (`keywordRanks` holds the
 * papers that do, as for rankCandidates). A subscription with only one kind of filter would get the
 * same boost on every candidate it may receive, so it gets none. Candidates `eligible` leaves out (0)
 * are skipped: they cannot be picked.
 */
export function addInterestBoost(
  scores: Float32Array,
  candidates: readonly CandidatePaper[],
  filter: Pick<DigestFilter, 'topics' | 'keywords'>,
  keywordRanks: ReadonlyMap<string, number> | null,
  eligible?: Uint8Array,
  boost = INTEREST_MATCH_BOOST,
): Float32Array {
  if (filter.topics.length === 0 || filter.keywords.length === 0 || keywordRanks === null) {
    return scores;
  }
  candidates.forEach((paper, i) => {
    if (eligible && !eligible[i]) {
      return;
    }
    if (filter.topics.some((topic) => paper.topics.has(topic))) {
      scores[i] += boost;
    }
    if (keywordRanks.has(paper.id)) {
      scores[i] += boost;
    }
  });
  return scores;
}
