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
  const scored: { paper: CandidatePaper; strength: number }[] = [];
  for (const paper of candidates) {
    const strength = matchStrength(paper, filter, keywordRanks);
    if (strength !== null) {
      scored.push({ paper, strength });
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

/**
 * Marks (1) the candidates a subscription's filters let through, in candidate order: the papers
 * rankCandidates returns, without ranking them, for a ranking that scores every candidate anyway.
 */
export function markCandidates(
  candidates: readonly CandidatePaper[],
  filter: DigestFilter,
  keywordRanks: ReadonlyMap<string, number> | null,
  into = new Uint8Array(candidates.length),
): Uint8Array {
  candidates.forEach((paper, i) => {
    into[i] = matchStrength(paper, filter, keywordRanks) === null ? 0 : 1;
  });
  return into;
}

/** How strongly a paper matches the filters (its topics' scores plus the keyword rank); null: it does not. */
function matchStrength(
  paper: CandidatePaper,
  filter: DigestFilter,
  keywordRanks: ReadonlyMap<string, number> | null,
): number | null {
  if (paper.upvotes < filter.minUpvotes || filter.excludeTopics.some((topic) => paper.topics.has(topic))) {
    return null;
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
  const hasKeywords = filter.keywords.length > 0;
  const keywordRank = hasKeywords ? keywordRanks?.get(paper.id) : undefined;
  const everything = filter.topics.length === 0 && !hasKeywords;
  return everything || topicMatch || keywordRank !== undefined ? topicScore + (keywordRank ?? 0) : null;
}

/** One cache key per distinct keyword list: the same query, in any order, matches the same papers. */
export function keywordKey(keywords: readonly string[]): string {
  return JSON.stringify([...keywords].sort());
}
