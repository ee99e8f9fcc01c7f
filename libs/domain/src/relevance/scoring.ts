import { authorTerm, type SparseVector } from './features';
import type { RelevanceModel } from './model';

/** A candidate paper of a digest window, as the scorer sees it. */
export interface ScoredCandidate {
  id: string;
  vector: SparseVector;
}

/**
 * Added to the score of a paper by a followed author: above anything text similarity gives (scores of
 * unit-norm models on unit vectors stay below 1), so such papers come first.
 */
export const FOLLOWED_AUTHOR_BOOST = 1;

/**
 * An inverted index over one window's candidates, built once per digest run and shared by every
 * subscriber: scoring a model walks only its own terms' postings (wave2 research §1.3).
 */
export class CandidateIndex {
  private readonly postings = new Map<string, { papers: Int32Array; weights: Float32Array }>();
  readonly ids: readonly string[];

  constructor(candidates: readonly ScoredCandidate[]) {
    this.ids = candidates.map((candidate) => candidate.id);
    const lists = new Map<string, { papers: number[]; weights: number[] }>();
    candidates.forEach((candidate, paper) => {
      candidate.vector.terms.forEach((term, k) => {
        let list = lists.get(term);
        if (!list) {
          list = { papers: [], weights: [] };
          lists.set(term, list);
        }
        list.papers.push(paper);
        list.weights.push(candidate.vector.weights[k]);
      });
    });
    for (const [term, list] of lists) {
      this.postings.set(term, { papers: Int32Array.from(list.papers), weights: Float32Array.from(list.weights) });
    }
  }

  get size(): number {
    return this.ids.length;
  }

  /**
   * Each candidate's score under a model (in candidate order), plus the boost for papers of followed
   * authors. `into` may be passed to reuse one buffer across subscribers.
   */
  score(
    model: Pick<RelevanceModel, 'terms' | 'weights'>,
    followedAuthors: readonly string[] = [],
    into = new Float32Array(this.ids.length),
  ): Float32Array {
    into.fill(0);
    model.terms.forEach((term, i) => {
      const list = this.postings.get(term);
      if (!list) {
        return;
      }
      const weight = model.weights[i];
      for (let k = 0; k < list.papers.length; k++) {
        into[list.papers[k]] += weight * list.weights[k];
      }
    });
    for (const name of followedAuthors) {
      const term = authorTerm(name);
      for (const paper of (term && this.postings.get(term)?.papers) || []) {
        into[paper] += FOLLOWED_AUTHOR_BOOST;
      }
    }
    return into;
  }
}

/**
 * The papers most like one paper, best first, by cosine of their tf-idf vectors; the paper itself and
 * papers sharing nothing with it are left out.
 */
export function similarPapers(
  target: ScoredCandidate,
  candidates: readonly ScoredCandidate[],
  limit: number,
): { id: string; similarity: number }[] {
  const index = new CandidateIndex(candidates);
  const scores = index.score(target.vector);
  return [...scores]
    .map((similarity, i) => ({ id: index.ids[i], similarity }))
    .filter((entry) => entry.id !== target.id && entry.similarity > 0)
    .sort((a, b) => b.similarity - a.similarity || (a.id < b.id ? -1 : 1))
    .slice(0, limit);
}
