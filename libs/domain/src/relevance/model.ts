import type { SparseVector } from './features';

/**
 * A subscriber's relevance model: one sparse weight vector over terms, so scoring a paper is a dot
 * product with its tf-idf vector and the heaviest terms explain it (docs/adr/0003-relevance-model.md).
 */
export interface RelevanceModel {
  terms: readonly string[];
  weights: Float32Array;
  /** Papers liked (up-votes and seeds) and disliked it was trained on. */
  liked: number;
  disliked: number;
}

export interface TrainingSet {
  /** Up-voted papers and seeds. */
  liked: readonly SparseVector[];
  /** Down-voted papers. */
  disliked: readonly SparseVector[];
  /** A sample of recent papers, used as weak negatives (most papers are not for any one reader). */
  background: readonly SparseVector[];
}

export interface TrainingOptions {
  /** Weights kept, the largest by magnitude: bounds the stored model and the scoring cost. */
  maxTerms: number;
  /** Labels at which the learned model and the similarity profile weigh the same (α = n / (n + k)). */
  priorStrength: number;
  /** How much of the negative weight down-votes get when there are any; background papers get the rest. */
  downVoteShare: number;
  /** L2 penalty of the logistic regression. */
  l2: number;
  /** Rocchio: how much the disliked papers' centroid is subtracted from the liked papers'. */
  dislikedWeight: number;
  iterations: number;
}

export const DEFAULT_TRAINING: TrainingOptions = {
  maxTerms: 200,
  priorStrength: 8,
  downVoteShare: 0.7,
  l2: 0.002,
  dislikedWeight: 0.5,
  iterations: 60,
};

/**
 * Trains a subscriber's model: a similarity profile (Rocchio centroid of liked minus disliked papers)
 * blended with an L2-regularised logistic regression of liked against disliked and background papers,
 * the regression weighing more as labels grow. Null when nothing is liked yet: nothing to rank by.
 */
export function trainRelevanceModel(set: TrainingSet, options: Partial<TrainingOptions> = {}): RelevanceModel | null {
  const settings = { ...DEFAULT_TRAINING, ...options };
  if (set.liked.length === 0) {
    return null;
  }
  // Only terms of the labelled papers can get weight: a background paper adds no term of its own, which
  // keeps training proportional to the votes rather than to the sample (and scores change only by
  // labelled terms, which is what the explanations show).
  const vocabulary = new Map<string, number>();
  for (const vector of [...set.liked, ...set.disliked]) {
    for (const term of vector.terms) {
      if (!vocabulary.has(term)) {
        vocabulary.set(term, vocabulary.size);
      }
    }
  }
  const local = (vector: SparseVector): LocalVector => {
    const index: number[] = [];
    const weights: number[] = [];
    vector.terms.forEach((term, i) => {
      const id = vocabulary.get(term);
      if (id !== undefined) {
        index.push(id);
        weights.push(vector.weights[i]);
      }
    });
    return { index: Int32Array.from(index), weights: Float32Array.from(weights) };
  };
  const liked = set.liked.map(local);
  const disliked = set.disliked.map(local);
  const background = set.background.map(local);
  const size = vocabulary.size;

  const centroid = new Float64Array(size);
  for (const vector of liked) {
    addTo(centroid, vector, 1 / liked.length);
  }
  for (const vector of disliked) {
    addTo(centroid, vector, -settings.dislikedWeight / disliked.length);
  }

  const labels = set.liked.length + set.disliked.length;
  const alpha = labels / (labels + settings.priorStrength);
  const regression =
    alpha > 0 && background.length + disliked.length > 0
      ? logisticRegression(settings, size, liked, disliked, background)
      : null;
  const blended = new Float64Array(size);
  addScaled(blended, centroid, (regression ? 1 - alpha : 1) / norm(centroid));
  if (regression) {
    addScaled(blended, regression, alpha / norm(regression));
  }
  return {
    ...topTerms(vocabulary, blended, settings.maxTerms),
    liked: set.liked.length,
    disliked: set.disliked.length,
  };
}

interface LocalVector {
  index: Int32Array;
  weights: Float32Array;
}

/**
 * Weighted L2 logistic regression by accelerated full-batch gradient descent (features are unit vectors,
 * so a fixed step is safe). Classes weigh the same in total; the negative side is split between
 * down-votes and background papers (Scholar Inbox's recipe). The bias is fitted but not returned:
 * ranking does not need it.
 */
function logisticRegression(
  settings: TrainingOptions,
  size: number,
  liked: readonly LocalVector[],
  disliked: readonly LocalVector[],
  background: readonly LocalVector[],
): Float64Array {
  const samples = [...liked, ...disliked, ...background];
  const targets = new Float64Array(samples.length);
  const sampleWeights = new Float64Array(samples.length);
  const downShare = disliked.length === 0 ? 0 : background.length === 0 ? 1 : settings.downVoteShare;
  samples.forEach((_, i) => {
    if (i < liked.length) {
      targets[i] = 1;
      sampleWeights[i] = 1 / liked.length;
    } else if (i < liked.length + disliked.length) {
      sampleWeights[i] = downShare / disliked.length;
    } else {
      sampleWeights[i] = (1 - downShare) / background.length;
    }
  });
  const step = 1.5;
  let weights = new Float64Array(size);
  let previous = new Float64Array(size);
  let bias = 0;
  const look = new Float64Array(size);
  const gradient = new Float64Array(size);
  for (let iteration = 1; iteration <= settings.iterations; iteration++) {
    const momentum = (iteration - 1) / (iteration + 2);
    for (let j = 0; j < size; j++) {
      look[j] = weights[j] + momentum * (weights[j] - previous[j]);
    }
    gradient.fill(0);
    let biasGradient = 0;
    for (let i = 0; i < samples.length; i++) {
      const { index, weights: values } = samples[i];
      let margin = bias;
      for (let k = 0; k < index.length; k++) {
        margin += look[index[k]] * values[k];
      }
      const error = sampleWeights[i] * (1 / (1 + Math.exp(-margin)) - targets[i]);
      biasGradient += error;
      for (let k = 0; k < index.length; k++) {
        gradient[index[k]] += error * values[k];
      }
    }
    [previous, weights] = [weights, previous];
    for (let j = 0; j < size; j++) {
      weights[j] = look[j] - step * (gradient[j] + settings.l2 * look[j]);
    }
    bias -= step * biasGradient;
  }
  return weights;
}

function addTo(target: Float64Array, vector: LocalVector, scale: number): void {
  for (let k = 0; k < vector.index.length; k++) {
    target[vector.index[k]] += scale * vector.weights[k];
  }
}

function addScaled(target: Float64Array, source: Float64Array, scale: number): void {
  if (!Number.isFinite(scale)) {
    return;
  }
  for (let j = 0; j < source.length; j++) {
    target[j] += scale * source[j];
  }
}

function norm(values: Float64Array): number {
  let sum = 0;
  for (const value of values) {
    sum += value * value;
  }
  return Math.sqrt(sum);
}

function topTerms(
  vocabulary: Map<string, number>,
  weights: Float64Array,
  limit: number,
): Pick<RelevanceModel, 'terms' | 'weights'> {
  const ids = [...vocabulary.values()].filter((id) => weights[id] !== 0);
  ids.sort((a, b) => Math.abs(weights[b]) - Math.abs(weights[a]) || a - b);
  const kept = ids.slice(0, limit);
  const names = [...vocabulary.keys()];
  return { terms: kept.map((id) => names[id]), weights: Float32Array.from(kept, (id) => weights[id]) };
}

const UTF8 = new TextEncoder();

/** The model's bytes as stored (terms as UTF-8 text, weights as float4): what the size budget counts. */
export function modelSize(model: RelevanceModel): number {
  return model.terms.reduce((sum, term) => sum + UTF8.encode(term).length + 1, 0) + model.weights.length * 4;
}
