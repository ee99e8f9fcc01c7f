/**
 * The optional dense term of a for-you score (docs/relevance.md, "Embeddings"): the cosine between a
 * candidate's embedding and the subscriber's dense profile, the centroid of their liked papers'
 * embeddings minus DENSE_DISLIKED_WEIGHT × the centroid of their disliked ones' (Rocchio, as the tf-idf
 * profile). Embeddings are per paper, never stored per subscriber: the profile is made per digest from
 * the voted papers' vectors.
 */

/**
 * Default weight of the dense term in a for-you score (EMBEDDINGS_WEIGHT; next to the tf-idf model's
 * score, whose values stay well below 1, and INTEREST_MATCH_BOOST). To be chosen on bench:ranking's
 * tuning days (`--tune`) with a real model's embeddings; none could be had here (no npm package ships a
 * sentence encoder's weights; averaged pretrained word vectors tune to 0, docs/benchmarks.md), so this
 * is a prior, not a measured optimum: a centred cosine spread of ±0.2 moves a score by about ±0.1.
 */
export const DENSE_SIMILARITY_WEIGHT = 0.5;

/** How much the disliked papers' centroid is taken off the liked papers' (as the tf-idf profile's 0.5). */
export const DENSE_DISLIKED_WEIGHT = 0.5;

/** A voted paper's embedding, as the profile is made from it. */
export interface VotedVector {
  paperId: string;
  vote: 'up' | 'down';
  vector: Float32Array;
}

/**
 * A window's candidates' embeddings, unit length, in candidate order (undefined: the paper has none), and
 * each voted paper's cosine to every candidate, computed once per window: many subscribers like the same
 * papers, so a digest's dense term costs one addition per voted paper and candidate.
 */
export class DenseWindow {
  private readonly units: (Float32Array | undefined)[];
  /** The candidates' vector length (0: none has an embedding); a voted vector of another length is another model's. */
  readonly dims: number;
  private readonly cosines = new Map<string, Float32Array>();

  constructor(vectors: readonly (Float32Array | undefined)[]) {
    this.units = vectors.map((vector) => (vector ? unit(vector) : undefined));
    this.dims = this.units.find((vector) => vector !== undefined)?.length ?? 0;
  }

  get size(): number {
    return this.units.length;
  }

  /** Whether any candidate has an embedding: without one the dense term adds nothing. */
  get embedded(): boolean {
    return this.dims > 0;
  }

  has(candidate: number): boolean {
    return this.units[candidate] !== undefined;
  }

  /** A vector's cosine to every candidate (0 where a candidate has no embedding), kept by paper id. */
  cosinesOf(paperId: string, vector: Float32Array): Float32Array {
    let cosines = this.cosines.get(paperId);
    if (!cosines) {
      cosines = new Float32Array(this.units.length);
      const own = unit(vector);
      if (own.length === this.dims) {
        this.units.forEach((candidate, i) => {
          if (candidate) {
            cosines![i] = dot(own, candidate);
          }
        });
      }
      this.cosines.set(paperId, cosines);
    }
    return cosines;
  }
}

/**
 * Each candidate's cosine to the subscriber's dense profile (in candidate order, 0 where either side has
 * no embedding), or null when nothing liked has an embedding of the window's model.
 */
export function denseSimilarities(
  window: DenseWindow,
  voted: readonly VotedVector[],
  dislikedWeight = DENSE_DISLIKED_WEIGHT,
): Float32Array | null {
  const comparable = voted.filter((paper) => paper.vector.length === window.dims);
  const liked = comparable.filter((paper) => paper.vote === 'up');
  const disliked = comparable.filter((paper) => paper.vote === 'down');
  if (!window.embedded || liked.length === 0) {
    return null;
  }
  // profile = mean(liked units) − β·mean(disliked units); its cosine to a unit candidate c is
  // (profile · c) / |profile|, and profile · c is the same mix of the voted papers' cached cosines.
  const dims = window.dims;
  const profile = new Float64Array(dims);
  const parts: [VotedVector[], number][] = [
    [liked, 1 / liked.length],
    [disliked, disliked.length > 0 ? -dislikedWeight / disliked.length : 0],
  ];
  for (const [papers, share] of parts) {
    for (const paper of papers) {
      const own = unit(paper.vector);
      for (let d = 0; d < dims; d++) {
        profile[d] += share * own[d];
      }
    }
  }
  const norm = Math.sqrt(profile.reduce((sum, value) => sum + value * value, 0));
  if (norm === 0) {
    return null;
  }
  const similarities = new Float32Array(window.size);
  for (const [papers, share] of parts) {
    for (const paper of papers) {
      const cosines = window.cosinesOf(paper.paperId, paper.vector);
      for (let i = 0; i < similarities.length; i++) {
        similarities[i] += (share * cosines[i]) / norm;
      }
    }
  }
  return similarities;
}

/**
 * Adds the dense term to each eligible candidate's score (in candidate order): `weight` × its cosine to
 * the profile, less the mean cosine of the eligible candidates that have an embedding. A candidate without
 * one gets nothing: it keeps its tf-idf score, as if it were of average similarity, so a paper is neither
 * favoured nor pushed down for missing an embedding.
 */
export function addDenseSimilarity(
  scores: Float32Array,
  window: DenseWindow,
  similarities: Float32Array | null,
  eligible?: Uint8Array,
  weight = DENSE_SIMILARITY_WEIGHT,
): Float32Array {
  if (similarities === null || weight === 0) {
    return scores;
  }
  let sum = 0;
  let count = 0;
  for (let i = 0; i < scores.length; i++) {
    if ((!eligible || eligible[i]) && window.has(i)) {
      sum += similarities[i];
      count += 1;
    }
  }
  if (count === 0) {
    return scores;
  }
  const mean = sum / count;
  for (let i = 0; i < scores.length; i++) {
    if ((!eligible || eligible[i]) && window.has(i)) {
      scores[i] += weight * (similarities[i] - mean);
    }
  }
  return scores;
}

/** The vector scaled to unit length (a zero vector stays zero). */
function unit(vector: Float32Array): Float32Array {
  const norm = Math.sqrt(dot(vector, vector));
  return norm === 0 ? new Float32Array(vector.length) : vector.map((value) => value / norm);
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let d = 0; d < a.length; d++) {
    sum += a[d] * b[d];
  }
  return sum;
}
