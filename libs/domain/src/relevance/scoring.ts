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
  readonly ids: readonly string[];
  /** Each term some candidate has, by the index's id of it. */
  readonly terms: readonly string[];
  /** Each candidate's terms' ids, in the order of its vector's terms. */
  readonly candidateTerms: readonly Int32Array[];
  private readonly termIds = new Map<string, number>();
  private readonly postingPapers: Int32Array[] = [];
  private readonly postingWeights: Float32Array[] = [];

  constructor(candidates: readonly ScoredCandidate[]) {
    this.ids = candidates.map((candidate) => candidate.id);
    const papers: number[][] = [];
    const weights: number[][] = [];
    this.candidateTerms = candidates.map((candidate, paper) =>
      Int32Array.from(candidate.vector.terms, (term, k) => {
        let id = this.termIds.get(term);
        if (id === undefined) {
          id = papers.length;
          this.termIds.set(term, id);
          papers.push([]);
          weights.push([]);
        }
        papers[id].push(paper);
        weights[id].push(candidate.vector.weights[k]);
        return id;
      }),
    );
    this.terms = [...this.termIds.keys()];
    papers.forEach((list, id) => {
      this.postingPapers.push(Int32Array.from(list));
      this.postingWeights.push(Float32Array.from(weights[id]));
    });
  }

  get size(): number {
    return this.ids.length;
  }

  /** The index's id of each of these terms, -1 for a term no candidate has. */
  termIdsOf(terms: readonly string[]): Int32Array {
    return Int32Array.from(terms, (term) => this.termIds.get(term) ?? -1);
  }

  /**
   * Each candidate's score under a model (in candidate order), plus the boost for papers of followed
   * authors. `into` may be passed to reuse one buffer across subscribers; `modelTermIds` (termIdsOf the
   * model's terms) when the caller has them already.
   */
  score(
    model: Pick<RelevanceModel, 'terms' | 'weights'>,
    followedAuthors: readonly string[] = [],
    into = new Float32Array(this.ids.length),
    modelTermIds = this.termIdsOf(model.terms),
  ): Float32Array {
    into.fill(0);
    for (let i = 0; i < modelTermIds.length; i++) {
      const id = modelTermIds[i];
      if (id < 0) {
        continue;
      }
      const weight = model.weights[i];
      const papers = this.postingPapers[id];
      const weights = this.postingWeights[id];
      for (let k = 0; k < papers.length; k++) {
        into[papers[k]] += weight * weights[k];
      }
    }
    for (const name of followedAuthors) {
      const term = authorTerm(name);
      const id = term === null ? undefined : this.termIds.get(term);
      for (const paper of id === undefined ? [] : this.postingPapers[id]) {
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
