/** A ready paper of a digest window, with what the digest filters and ranking look at. */
export interface CandidatePaper {
  id: string;
  upvotes: number;
  /** Microseconds since the epoch (Postgres' precision), for the recency tie-break. */
  listedAtMicros: number;
  /** Topic slug → classifier score. */
  topics: ReadonlyMap<string, number>;
}

/** What a subscription asks of its digests. */
export interface DigestFilter {
  topics: string[];
  keywords: string[];
  excludeTopics: string[];
  minUpvotes: number;
}

/**
 * The papers of a window that a subscription's digest may hold, best first: any of its topics or a
 * keyword match (everything when it has neither), none of its excluded topics, at least its minimum
 * upvotes; ranked by upvotes, then match strength (its topics' scores plus the keyword rank), then
 * recency, then id. `keywordRanks` holds the full-text rank of each paper matching the subscription's
 * keywords (Postgres decides the match). Papers already delivered and the cap are the ledger's job.
 */
export function rankCandidates(
  candidates: readonly CandidatePaper[],
  filter: DigestFilter,
  keywordRanks: ReadonlyMap<string, number> | null,
): string[] {
  const hasKeywords = filter.keywords.length > 0;
  const everything = filter.topics.length === 0 && !hasKeywords;
  const scored: { paper: CandidatePaper; strength: number }[] = [];
  for (const paper of candidates) {
    if (paper.upvotes < filter.minUpvotes || filter.excludeTopics.some((topic) => paper.topics.has(topic))) {
      continue;
    }
    let topicScore = 0;
    let topicMatch = false;
    for (const topic of filter.topics) {
      const score = paper.topics.get(topic);
      if (score !== undefined) {
        topicMatch = true;
        topicScore += score;
      }
    }
    const keywordRank = hasKeywords ? keywordRanks?.get(paper.id) : undefined;
    if (everything || topicMatch || keywordRank !== undefined) {
      scored.push({ paper, strength: topicScore + (keywordRank ?? 0) });
    }
  }
  scored.sort(
    (a, b) =>
      b.paper.upvotes - a.paper.upvotes ||
      b.strength - a.strength ||
      b.paper.listedAtMicros - a.paper.listedAtMicros ||
      (a.paper.id < b.paper.id ? -1 : a.paper.id > b.paper.id ? 1 : 0),
  );
  return scored.map((entry) => entry.paper.id);
}

/** One cache key per distinct keyword list: the same query, in any order, matches the same papers. */
export function keywordKey(keywords: readonly string[]): string {
  return JSON.stringify([...keywords].sort());
}
