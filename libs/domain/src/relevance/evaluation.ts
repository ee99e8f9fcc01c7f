/**
 * Offline ranking metrics with binary relevance: what bench:ranking reports (wave2 research §1.5).
 */

/** nDCG@k of a ranking (ids best first) against the set of relevant ids; 0 when nothing is relevant. */
export function ndcgAt(k: number, ranking: readonly string[], relevant: ReadonlySet<string>): number {
  let dcg = 0;
  ranking.slice(0, k).forEach((id, i) => {
    if (relevant.has(id)) {
      dcg += 1 / Math.log2(i + 2);
    }
  });
  let ideal = 0;
  for (let i = 0; i < Math.min(k, relevant.size); i++) {
    ideal += 1 / Math.log2(i + 2);
  }
  return ideal === 0 ? 0 : dcg / ideal;
}

/**
 * ROC-AUC of scores: the chance a relevant paper scores above an irrelevant one (ties count half);
 * 0.5 when either class is empty.
 */
export function rocAuc(scores: ReadonlyMap<string, number>, relevant: ReadonlySet<string>): number {
  const positives: number[] = [];
  const negatives: number[] = [];
  for (const [id, score] of scores) {
    (relevant.has(id) ? positives : negatives).push(score);
  }
  if (positives.length === 0 || negatives.length === 0) {
    return 0.5;
  }
  let wins = 0;
  for (const p of positives) {
    for (const n of negatives) {
      wins += p > n ? 1 : p === n ? 0.5 : 0;
    }
  }
  return wins / (positives.length * negatives.length);
}

/** Ids ordered by score, best first; ties by id so rankings are deterministic. */
export function rankByScore(scores: ReadonlyMap<string, number>): string[] {
  return [...scores].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([id]) => id);
}
