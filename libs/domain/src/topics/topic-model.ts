import { termCounts } from '../relevance/features';
import { isTopicSlug, TOPIC_SLUGS, type TopicSlug } from './taxonomy';

/** What the model reads of a paper (the same fields as the rules). */
export interface TopicModelInput {
  title: string;
  abstract: string;
  categories?: readonly string[];
  keywords?: readonly string[];
}

export interface LabelledTopicPaper extends TopicModelInput {
  topics: readonly TopicSlug[];
}

/** One topic's logistic regression: the heaviest term weights, the bias and the probability that tags. */
export interface TopicModelTopic {
  topic: TopicSlug;
  bias: number;
  /** The model alone tags the topic at or above this probability (chosen by cross-validation; 1: never). */
  threshold: number;
  /**
   * With the rules' score at least half their threshold (some evidence, not enough), the model tags at or
   * above this probability (chosen by cross-validation; 1: never).
   */
  supportThreshold: number;
  weights: Record<string, number>;
}

/** What the rules say of a paper: the topics they tag, and those with some evidence short of a tag. */
export interface RuleVerdict {
  tagged: ReadonlySet<TopicSlug>;
  partial: ReadonlySet<TopicSlug>;
}

/** Thresholds of one topic. */
export interface TopicThresholds {
  threshold: number;
  supportThreshold: number;
}

/**
 * A per-topic linear model over tf-idf of title, abstract, keywords and arXiv categories (as
 * `category:cs.ro` terms), trained offline (`npm run topics:train`) and committed as JSON.
 */
export interface TopicModel {
  version: 1;
  /** Papers it was trained on. */
  documents: number;
  /** The idf of a term the model does not know (as if seen in one training paper). */
  defaultIdf: number;
  idf: Record<string, number>;
  topics: TopicModelTopic[];
}

/** Per topic, the model's probability for one paper; topics the model has no weights for are absent. */
export type TopicProbabilities = Map<TopicSlug, number>;

/** Scores papers with a loaded model; built once, reused for every paper. */
export interface TopicModelScorer {
  readonly model: TopicModel;
  probabilities(input: TopicModelInput): TopicProbabilities;
  /** The terms of the paper that raised the topic's score most, heaviest first (stems, as the model keeps them). */
  reasons(input: TopicModelInput, topic: TopicSlug, limit: number): string[];
}

export interface TopicModelTraining {
  /** L2 penalty of the logistic regressions. */
  l2: number;
  iterations: number;
  /** Weights kept per topic, the largest by magnitude: bounds the committed JSON. */
  maxTermsPerTopic: number;
  /** A term must occur in this many training papers to get a weight. */
  minDocumentFrequency: number;
  /** The positives' share of each topic's total sample weight (the rest goes to negatives). */
  positiveShare: number;
  /** Folds of the cross-validation that picks each topic's threshold. */
  folds: number;
  /** Highest share of a topic's negatives the model may add as false tags in cross-validation. */
  maxAddedFalseTagRate: number;
  /** A false tag the model adds costs this many true tags it adds when the threshold is chosen. */
  falseTagCost: number;
  /** A cut must gain at least this much (true tags less the cost of false ones): one lucky paper is not enough. */
  minGain: number;
  /** No threshold for the model alone below this probability. */
  minThreshold: number;
  /** No threshold for the model with some rule evidence below this probability. */
  minSupportThreshold: number;
}

export const DEFAULT_TOPIC_MODEL_TRAINING: TopicModelTraining = {
  l2: 0.0001,
  iterations: 250,
  maxTermsPerTopic: 150,
  minDocumentFrequency: 2,
  positiveShare: 0.35,
  folds: 5,
  maxAddedFalseTagRate: 0.005,
  falseTagCost: 3,
  minGain: 2,
  minThreshold: 0.5,
  minSupportThreshold: 0.2,
};

const CATEGORY_PREFIX = 'category:';

/** A paper's term counts as the model reads them: relevance's tokens of title (weighted), abstract, keywords, categories. */
export function topicTermCounts(input: TopicModelInput): Map<string, number> {
  return termCounts({
    title: typeof input.title === 'string' ? input.title : '',
    abstract: typeof input.abstract === 'string' ? input.abstract : '',
    categories: stringList(input.categories),
    keywords: stringList(input.keywords),
  });
}

interface Vector {
  terms: string[];
  values: number[];
}

/**
 * Sublinear tf × idf, l2-normalised over every term of the paper (a term the model does not know counts
 * with the default idf), so a paper's vector is the same whether or not the model keeps all its terms.
 */
function vectorize(counts: ReadonlyMap<string, number>, idf: (term: string) => number | undefined, defaultIdf: number): Vector {
  const terms: string[] = [];
  const values: number[] = [];
  let norm = 0;
  for (const [term, count] of counts) {
    const weight = (1 + Math.log(count)) * (idf(term) ?? defaultIdf);
    terms.push(term);
    values.push(weight);
    norm += weight * weight;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  return { terms, values: values.map((value) => value * scale) };
}

function sigmoid(margin: number): number {
  return 1 / (1 + Math.exp(-margin));
}

/** Checks a parsed JSON value is a topic model and returns it; throws naming what is wrong. */
export function parseTopicModel(value: unknown): TopicModel {
  const record = value as Partial<TopicModel> | null;
  if (record === null || typeof record !== 'object' || record.version !== 1) {
    throw new Error('topic model: expected an object with version 1');
  }
  if (!isFiniteNumber(record.documents) || !isFiniteNumber(record.defaultIdf)) {
    throw new Error('topic model: documents and defaultIdf must be numbers');
  }
  if (!isNumberRecord(record.idf)) {
    throw new Error('topic model: idf must map terms to numbers');
  }
  if (!Array.isArray(record.topics)) {
    throw new Error('topic model: topics must be a list');
  }
  const seen = new Set<string>();
  for (const [index, topic] of record.topics.entries()) {
    const entry = topic as Partial<TopicModelTopic> | null;
    if (entry === null || typeof entry !== 'object' || typeof entry.topic !== 'string' || !isTopicSlug(entry.topic)) {
      throw new Error(`topic model: topics[${index}] names no known topic`);
    }
    if (seen.has(entry.topic)) {
      throw new Error(`topic model: topic "${entry.topic}" appears twice`);
    }
    seen.add(entry.topic);
    if (
      !isFiniteNumber(entry.bias) ||
      !isFiniteNumber(entry.threshold) ||
      !isFiniteNumber(entry.supportThreshold) ||
      !isNumberRecord(entry.weights)
    ) {
      throw new Error(`topic model: topic "${entry.topic}" needs a bias, thresholds and weights`);
    }
  }
  return record as TopicModel;
}

export function createTopicModelScorer(model: TopicModel): TopicModelScorer {
  const topics = model.topics.map((entry) => entry.topic);
  const biases = model.topics.map((entry) => entry.bias);
  // Term → the topics weighing it and their weights: one lookup per term of the paper.
  const byTerm = new Map<string, { topics: number[]; weights: number[] }>();
  model.topics.forEach((entry, topicIndex) => {
    for (const [term, weight] of Object.entries(entry.weights)) {
      let slot = byTerm.get(term);
      if (slot === undefined) {
        slot = { topics: [], weights: [] };
        byTerm.set(term, slot);
      }
      slot.topics.push(topicIndex);
      slot.weights.push(weight);
    }
  });
  const idf = new Map(Object.entries(model.idf));
  const vectorOf = (input: TopicModelInput): Vector =>
    vectorize(topicTermCounts(input), (term) => idf.get(term), model.defaultIdf);

  return {
    model,
    probabilities(input) {
      const vector = vectorOf(input);
      const margins = [...biases];
      vector.terms.forEach((term, i) => {
        const slot = byTerm.get(term);
        if (slot === undefined) {
          return;
        }
        slot.topics.forEach((topicIndex, k) => {
          margins[topicIndex] += slot.weights[k] * vector.values[i];
        });
      });
      return new Map(topics.map((topic, topicIndex) => [topic, sigmoid(margins[topicIndex])]));
    },
    reasons(input, topic, limit) {
      const entry = model.topics.find((candidate) => candidate.topic === topic);
      if (entry === undefined) {
        return [];
      }
      const vector = vectorOf(input);
      return vector.terms
        .map((term, i) => ({ term, contribution: (entry.weights[term] ?? 0) * vector.values[i] }))
        .filter((item) => item.contribution > 0 && !item.term.startsWith(CATEGORY_PREFIX))
        .sort((a, b) => b.contribution - a.contribution || (a.term < b.term ? -1 : 1))
        .slice(0, limit)
        .map((item) => item.term);
    },
  };
}

interface Encoded {
  index: Int32Array;
  values: Float64Array;
}

/**
 * Fits one L2 logistic regression per topic (all topics in one pass over the papers) and keeps each
 * topic's heaviest terms. Thresholds are `thresholds[topic]` when given, else 1 (never tags).
 */
export function trainTopicModel(
  papers: readonly LabelledTopicPaper[],
  options: Partial<TopicModelTraining> = {},
  thresholds: Partial<Record<TopicSlug, TopicThresholds>> = {},
): TopicModel {
  const settings = { ...DEFAULT_TOPIC_MODEL_TRAINING, ...options };
  const counts = papers.map(topicTermCounts);
  const frequencies = new Map<string, number>();
  for (const paperCounts of counts) {
    for (const term of paperCounts.keys()) {
      frequencies.set(term, (frequencies.get(term) ?? 0) + 1);
    }
  }
  const documents = papers.length;
  const idfOf = (frequency: number): number => Math.log((1 + documents) / (1 + frequency)) + 1;
  const defaultIdf = idfOf(1);
  const vocabulary = [...frequencies]
    .filter(([, frequency]) => frequency >= settings.minDocumentFrequency)
    .map(([term]) => term)
    .sort();

  // First fit over the whole vocabulary picks each topic's terms; the second, over the kept terms
  // only, is the model as it will score (other terms then count with the default idf, as at run time).
  const first = fit(papers, counts, vocabulary, (term) => idfOf(frequencies.get(term) ?? 1), defaultIdf, settings);
  const kept = new Set<string>();
  const perTopic = TOPIC_SLUGS.map((_, topicIndex) => heaviest(first.weights, vocabulary, topicIndex, settings.maxTermsPerTopic));
  for (const terms of perTopic) {
    for (const term of terms) {
      kept.add(term);
    }
  }
  const keptVocabulary = [...kept].sort();
  const idf: Record<string, number> = {};
  for (const term of keptVocabulary) {
    idf[term] = round(idfOf(frequencies.get(term) ?? 1), 4);
  }
  const second = fit(papers, counts, keptVocabulary, (term) => idf[term], defaultIdf, settings);

  const topics: TopicModelTopic[] = TOPIC_SLUGS.map((topic, topicIndex) => {
    const weights: Record<string, number> = {};
    for (const term of heaviest(second.weights, keptVocabulary, topicIndex, settings.maxTermsPerTopic)) {
      weights[term] = round(second.weights[keptVocabulary.indexOf(term) * TOPIC_SLUGS.length + topicIndex], 4);
    }
    const chosen = thresholds[topic] ?? { threshold: 1, supportThreshold: 1 };
    return { topic, bias: round(second.biases[topicIndex], 4), ...chosen, weights };
  });
  return { version: 1, documents, defaultIdf: round(defaultIdf, 4), idf, topics };
}

function fit(
  papers: readonly LabelledTopicPaper[],
  counts: readonly Map<string, number>[],
  vocabulary: readonly string[],
  idf: (term: string) => number | undefined,
  defaultIdf: number,
  settings: TopicModelTraining,
): { weights: Float64Array; biases: Float64Array } {
  const topicCount = TOPIC_SLUGS.length;
  const ids = new Map(vocabulary.map((term, id) => [term, id]));
  const encoded: Encoded[] = counts.map((paperCounts) => {
    const vector = vectorize(paperCounts, idf, defaultIdf);
    const index: number[] = [];
    const values: number[] = [];
    vector.terms.forEach((term, i) => {
      const id = ids.get(term);
      if (id !== undefined) {
        index.push(id);
        values.push(vector.values[i]);
      }
    });
    return { index: Int32Array.from(index), values: Float64Array.from(values) };
  });
  const targets = papers.map((paper) => new Set(paper.topics));
  const positives = TOPIC_SLUGS.map((topic) => targets.filter((set) => set.has(topic)).length);
  // Per topic, positives share `positiveShare` of the weight and negatives the rest.
  const positiveWeight = positives.map((count) => (count === 0 ? 0 : settings.positiveShare / count));
  const negativeWeight = positives.map((count) =>
    papers.length - count === 0 ? 0 : (count === 0 ? 1 : 1 - settings.positiveShare) / (papers.length - count),
  );

  const size = vocabulary.length * topicCount;
  let weights = new Float64Array(size);
  let previous = new Float64Array(size);
  const look = new Float64Array(size);
  const gradient = new Float64Array(size);
  const biases = new Float64Array(topicCount);
  const biasGradient = new Float64Array(topicCount);
  const margins = new Float64Array(topicCount);
  // Features are unit vectors and each topic's sample weights sum to 1: a fixed step is safe.
  const step = 2;
  for (let iteration = 1; iteration <= settings.iterations; iteration++) {
    const momentum = (iteration - 1) / (iteration + 2);
    for (let j = 0; j < size; j++) {
      look[j] = weights[j] + momentum * (weights[j] - previous[j]);
    }
    gradient.fill(0);
    biasGradient.fill(0);
    encoded.forEach(({ index, values }, paperIndex) => {
      margins.set(biases);
      for (let k = 0; k < index.length; k++) {
        const base = index[k] * topicCount;
        const value = values[k];
        for (let t = 0; t < topicCount; t++) {
          margins[t] += look[base + t] * value;
        }
      }
      const target = targets[paperIndex];
      for (let t = 0; t < topicCount; t++) {
        const positive = target.has(TOPIC_SLUGS[t]);
        margins[t] = (positive ? positiveWeight[t] : negativeWeight[t]) * (sigmoid(margins[t]) - (positive ? 1 : 0));
        biasGradient[t] += margins[t];
      }
      for (let k = 0; k < index.length; k++) {
        const base = index[k] * topicCount;
        const value = values[k];
        for (let t = 0; t < topicCount; t++) {
          gradient[base + t] += margins[t] * value;
        }
      }
    });
    [previous, weights] = [weights, previous];
    for (let j = 0; j < size; j++) {
      weights[j] = look[j] - step * (gradient[j] + settings.l2 * look[j]);
    }
    for (let t = 0; t < topicCount; t++) {
      biases[t] -= step * biasGradient[t];
    }
  }
  return { weights, biases };
}

function heaviest(weights: Float64Array, vocabulary: readonly string[], topicIndex: number, limit: number): string[] {
  const topicCount = TOPIC_SLUGS.length;
  return vocabulary
    .map((term, id) => ({ term, weight: weights[id * topicCount + topicIndex] }))
    .filter((entry) => Math.abs(entry.weight) > 1e-4)
    .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight) || (a.term < b.term ? -1 : 1))
    .slice(0, limit)
    .map((entry) => entry.term);
}

/** The fold (0 … folds-1) of a paper: a fixed hash of its title, so folds never depend on file order. */
export function foldOf(title: string, folds: number): number {
  let hash = 0x811c9dc5;
  for (const char of title.toLowerCase()) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % folds;
}

/** Each paper's probabilities from a model trained on the other folds (out-of-fold). */
export function crossValidatedProbabilities(
  papers: readonly LabelledTopicPaper[],
  options: Partial<TopicModelTraining> = {},
): TopicProbabilities[] {
  const settings = { ...DEFAULT_TOPIC_MODEL_TRAINING, ...options };
  const folds = papers.map((paper) => foldOf(paper.title, settings.folds));
  const result: TopicProbabilities[] = new Array<TopicProbabilities>(papers.length);
  for (let fold = 0; fold < settings.folds; fold++) {
    const training = papers.filter((_, index) => folds[index] !== fold);
    if (training.length === papers.length) {
      continue;
    }
    const scorer = createTopicModelScorer(trainTopicModel(training, settings));
    papers.forEach((paper, index) => {
      if (folds[index] === fold) {
        result[index] = scorer.probabilities(paper);
      }
    });
  }
  return result;
}

/**
 * Per topic, the probabilities at which the model adds tags the rules missed: alone, and where the rules
 * found some evidence. Each is the cut that adds the most true tags, a false one costing `falseTagCost`,
 * with at most `maxAddedFalseTagRate` of the topic's negatives tagged falsely in all; 1 (never) when no
 * cut gains.
 */
export function chooseThresholds(
  papers: readonly LabelledTopicPaper[],
  probabilities: readonly TopicProbabilities[],
  rules: readonly RuleVerdict[],
  options: Partial<TopicModelTraining> = {},
): Record<TopicSlug, TopicThresholds> {
  const settings = { ...DEFAULT_TOPIC_MODEL_TRAINING, ...options };
  const thresholds = {} as Record<TopicSlug, TopicThresholds>;
  for (const topic of TOPIC_SLUGS) {
    const negatives = papers.filter((paper) => !paper.topics.includes(topic)).length;
    let allowedFalse = Math.floor(settings.maxAddedFalseTagRate * negatives);
    const untagged = papers
      .map((paper, index) => ({
        positive: paper.topics.includes(topic),
        probability: probabilities[index]?.get(topic) ?? 0,
        tagged: rules[index].tagged.has(topic),
        partial: rules[index].partial.has(topic),
      }))
      .filter((entry) => !entry.tagged);
    const alone = bestCut(untagged, settings.minThreshold, allowedFalse, settings);
    allowedFalse -= alone.falseAdded;
    // Where the rules found some evidence, the model may tag at a lower probability.
    const supported = untagged.filter((entry) => entry.partial && entry.probability < alone.threshold);
    const support = bestCut(supported, settings.minSupportThreshold, allowedFalse, settings);
    thresholds[topic] = { threshold: alone.threshold, supportThreshold: Math.min(support.threshold, alone.threshold) };
  }
  return thresholds;
}

interface Candidate {
  positive: boolean;
  probability: number;
}

function bestCut(
  entries: readonly Candidate[],
  minimum: number,
  allowedFalse: number,
  { falseTagCost, minGain }: Pick<TopicModelTraining, 'falseTagCost' | 'minGain'>,
): { threshold: number; falseAdded: number } {
  const candidates = entries.filter((entry) => entry.probability >= minimum).sort((a, b) => b.probability - a.probability);
  let best = { gain: minGain - 1, threshold: 1, falseAdded: 0 };
  let added = 0;
  let falseAdded = 0;
  for (let i = 0; i < candidates.length; i++) {
    added += candidates[i].positive ? 1 : 0;
    falseAdded += candidates[i].positive ? 0 : 1;
    // Only cut between distinct probabilities.
    if (i + 1 < candidates.length && candidates[i + 1].probability === candidates[i].probability) {
      continue;
    }
    if (falseAdded > allowedFalse) {
      break;
    }
    const gain = added - falseTagCost * falseAdded;
    if (gain > best.gain) {
      best = { gain, threshold: round(candidates[i].probability, 4), falseAdded };
    }
  }
  return best;
}

/**
 * Trains the committed model: thresholds by cross-validation against what the rules already say, then
 * the weights on every paper. `rules` gives the rules' verdict on a paper.
 */
export function fitTopicModel<Paper extends LabelledTopicPaper>(
  papers: readonly Paper[],
  rules: (paper: Paper) => RuleVerdict,
  options: Partial<TopicModelTraining> = {},
): TopicModel {
  const probabilities = crossValidatedProbabilities(papers, options);
  const thresholds = chooseThresholds(papers, probabilities, papers.map(rules), options);
  const model = trainTopicModel(papers, options, thresholds);
  // A topic the model never tags needs no weights in the committed file.
  return { ...model, topics: model.topics.filter((entry) => entry.supportThreshold < 1) };
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isNumberRecord(value: unknown): value is Record<string, number> {
  return (
    value !== null && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every(isFiniteNumber)
  );
}

function stringList(values: readonly unknown[] | undefined): string[] {
  return Array.isArray(values) ? values.filter((value): value is string => typeof value === 'string').slice(0, 100) : [];
}
