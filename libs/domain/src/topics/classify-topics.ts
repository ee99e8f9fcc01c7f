import { PhrasePrefilter, requiredLiterals } from './phrase-prefilter';
import { TOPIC_SLUGS, type TopicSlug } from './taxonomy';
import { createTopicModelScorer, type RuleVerdict, type TopicModel } from './topic-model';
import { TOPIC_MODEL } from './committed-topic-model';
import { TOPIC_RULES, type TopicRuleBook, type TopicRuleSet } from './topic-rules';

export interface TopicInput {
  title: string;
  abstract: string;
  /** arXiv categories, e.g. `cs.CL`. */
  categories?: readonly string[];
  /** Hugging Face AI keywords (`ai_keywords`), e.g. `diffusion models`. */
  keywords?: readonly string[];
}

export interface TopicTag {
  topic: TopicSlug;
  score: number;
  /** Why this paper has the topic, strongest first, e.g. `title: "chain-of-thought"`, `arXiv category cs.RO`. */
  evidence: string[];
}

export type TopicClassifier = (input: TopicInput) => TopicTag[];

/** Letters, digits and underscore continue a word in any script; everything else is a boundary. */
const WORD_START = '(?<![\\p{L}\\p{N}\\p{M}_])';
const WORD_END = '(?![\\p{L}\\p{N}\\p{M}_])';
const EVIDENCE_TEXT_MAX = 60;
/** Terms named in a tag the model added: enough to say why, short enough to read. */
const MODEL_REASONS = 3;
/** Rules reaching this share of their threshold have some evidence: the model then needs less to tag. */
export const PARTIAL_SCORE = 0.5;
/** Real listings carry a handful of categories and keywords; more is junk and only costs time. */
const MAX_LIST_ITEMS = 100;
// eslint-disable-next-line no-control-regex -- the full ASCII range, control characters included
const NON_ASCII = /[^\x00-\x7f]/;
const SOFT_HYPHEN = /\u00ad/g;
const UNICODE_DASHES = /[\u2010-\u2015\u2212]/g;
const WHITESPACE_RUN = /\s+/g;
/** Whitespace that collapsing would change: a character other than a space, or two in a row. */
const UNTIDY_WHITESPACE = /[^\S ]|\s\s/;

interface WeightedPattern {
  readonly pattern: string;
  readonly weight: number;
}

/** All patterns of one list joined into one regex, so a text is scanned once per list. */
interface PatternSet {
  readonly regex: RegExp;
  readonly weights: readonly number[];
}

interface CompiledCategory {
  readonly archive: string | undefined;
  readonly category: string | undefined;
  readonly weight: number;
}

interface CompiledTopic {
  readonly topic: TopicSlug;
  readonly threshold: number;
  readonly phrases: PatternSet;
  /** What scanPhrases finds in a text the prefilter rules out: nothing. */
  readonly noPhraseHits: PhraseHits;
  readonly keywords: PatternSet;
  readonly categories: readonly CompiledCategory[];
  readonly taxonomyOrder: number;
}

interface Contribution {
  readonly text: string;
  readonly points: number;
}

interface PhraseHits {
  readonly counts: number[];
  readonly firstMatch: (string | undefined)[];
}

/**
 * Builds a classifier for a rule book and, optionally, a learned model; throws once, at build time, if a
 * rule is malformed. A topic is tagged when its rules reach the threshold, or when the model's probability
 * reaches the topic's threshold (chosen by cross-validation) although the rules did not.
 */
export function createTopicClassifier(ruleBook: TopicRuleBook, model?: TopicModel): TopicClassifier {
  const seenTopics = new Set<TopicSlug>();
  for (const ruleSet of ruleBook.topics) {
    // Two sets for one topic would emit the topic twice; extend the existing set instead.
    if (seenTopics.has(ruleSet.topic)) {throw new Error(`Topic "${ruleSet.topic}" has more than one rule set`);}
    seenTopics.add(ruleSet.topic);
  }
  const compiledTopics = ruleBook.topics.map((ruleSet) => compileTopic(ruleSet, ruleBook.threshold));
  const repeatWeights = ruleBook.abstractRepeatWeights;
  // One pass over each text tells which topics' phrase regexes could match at all; only those run.
  const prefilter = new PhrasePrefilter(ruleBook.topics.map((ruleSet) => phraseLiterals(ruleSet.phrases)));
  const taxonomyOrder = new Map(compiledTopics.map((compiled) => [compiled.topic, compiled.taxonomyOrder]));
  const scorer = model === undefined ? undefined : createTopicModelScorer(model);
  const modelThresholds = new Map(model?.topics.map((entry) => [entry.topic, entry]));

  return (input: TopicInput): TopicTag[] => {
    const title = normalizeText(input?.title, ruleBook.maxTextLength);
    const abstract = normalizeText(input?.abstract, ruleBook.maxTextLength);
    const categories = stringsOf(input?.categories).map((category) => category.trim());
    const keywords = stringsOf(input?.keywords).map((keyword) => normalizeText(keyword, ruleBook.maxTextLength));

    const titleCandidates = prefilter.candidates(title);
    const abstractCandidates = prefilter.candidates(abstract);
    const keywordCandidates = keywords.map((keyword) => prefilter.candidates(keyword));
    // Tokenising for the model costs more than the rules: only when a topic the model knows is untagged.
    let probabilities: ReadonlyMap<TopicSlug, number> | undefined;
    const probabilityOf = (topic: TopicSlug): number | undefined => {
      probabilities ??= scorer?.probabilities({ title, abstract, categories, keywords });
      return probabilities?.get(topic);
    };

    const tags: TopicTag[] = [];
    compiledTopics.forEach((compiled, topicIndex) => {
      const contributions: Contribution[] = [];
      let score = 0;

      const titleHits = titleCandidates[topicIndex] ? scanPhrases(compiled.phrases, title, 1) : compiled.noPhraseHits;
      const abstractHits = abstractCandidates[topicIndex]
        ? scanPhrases(compiled.phrases, abstract, repeatWeights.length)
        : compiled.noPhraseHits;
      compiled.phrases.weights.forEach((weight, index) => {
        const titlePoints = titleHits.counts[index] > 0 ? weight * ruleBook.titleWeight : 0;
        const abstractPoints = weight * sumFirst(repeatWeights, abstractHits.counts[index]);
        score += titlePoints + abstractPoints;
        // Counter-evidence lowers the score but is not a reason to show to a reader.
        if (weight <= 0) {return;}
        const titleText = titleHits.firstMatch[index];
        if (titleText !== undefined) {contributions.push({ text: `title: "${titleText}"`, points: titlePoints });}
        const abstractText = abstractHits.firstMatch[index];
        if (abstractText !== undefined) {
          contributions.push({ text: `abstract: "${abstractText}"`, points: abstractPoints });
        }
      });

      // HF keywords are short phrases about the paper: the same phrase rules read them, each rule once.
      const keywordPhrases = matchKeywordPhrases(compiled, topicIndex, keywords, keywordCandidates);
      keywordPhrases.forEach((keyword, index) => {
        if (keyword === undefined) {return;}
        const weight = compiled.phrases.weights[index];
        const points = weight * ruleBook.keywordWeight;
        score += points;
        if (weight > 0) {contributions.push({ text: `keyword: "${keyword}"`, points });}
      });

      for (const rule of compiled.categories) {
        const matched = categories.find((category) => categoryMatches(rule, category));
        if (matched === undefined) {continue;}
        score += rule.weight;
        if (rule.weight > 0) {contributions.push({ text: `arXiv category ${matched}`, points: rule.weight });}
      }

      const keywordHits = matchKeywords(compiled.keywords, keywords);
      keywordHits.forEach((keyword, index) => {
        if (keyword === undefined) {return;}
        const weight = compiled.keywords.weights[index];
        score += weight;
        if (weight > 0) {contributions.push({ text: `keyword: "${keyword}"`, points: weight });}
      });

      const roundedScore = Math.round(score * 100) / 100;
      if (contributions.length > 0 && roundedScore >= compiled.threshold) {
        tags.push({ topic: compiled.topic, score: roundedScore, evidence: orderEvidence(contributions) });
        return;
      }
      const thresholds = modelThresholds.get(compiled.topic);
      if (scorer === undefined || thresholds === undefined) {return;}
      const partial = contributions.length > 0 && roundedScore >= compiled.threshold * PARTIAL_SCORE;
      const needed = partial ? thresholds.supportThreshold : thresholds.threshold;
      // A probability never reaches 1: no need to score.
      if (needed >= 1) {return;}
      const probability = probabilityOf(compiled.topic);
      if (probability === undefined || probability < needed) {return;}
      // The rules' own hints, if any, still say why; the model's heaviest terms say the rest.
      const reasons = scorer.reasons({ title, abstract, categories, keywords }, compiled.topic, MODEL_REASONS);
      const modelEvidence =
        reasons.length > 0 ? `model: ${reasons.map((term) => `"${evidenceText(term)}"`).join(', ')}` : 'model';
      tags.push({
        topic: compiled.topic,
        // Below the rules' threshold, so a tag the rules give sorts first.
        score: Math.round(compiled.threshold * probability * 100) / 100,
        evidence: [modelEvidence, ...orderEvidence(contributions)],
      });
    });

    return tags.sort(
      (a, b) => b.score - a.score || (taxonomyOrder.get(a.topic) ?? 0) - (taxonomyOrder.get(b.topic) ?? 0),
    );
  };
}

/** Multi-label topics for one paper, best first: the rules, the paper's metadata and the committed model. */
export const classifyTopics: TopicClassifier = createTopicClassifier(TOPIC_RULES, TOPIC_MODEL);

/**
 * The rules alone (no model) on a paper: the topics they tag and those with some evidence short of a tag,
 * which is what the model's two thresholds are chosen against.
 */
export function createRuleVerdicts(ruleBook: TopicRuleBook): (input: TopicInput) => RuleVerdict {
  const rules = createTopicClassifier(ruleBook);
  const lowered = createTopicClassifier({
    ...ruleBook,
    threshold: ruleBook.threshold * PARTIAL_SCORE,
    topics: ruleBook.topics.map((ruleSet) =>
      ruleSet.threshold === undefined ? ruleSet : { ...ruleSet, threshold: ruleSet.threshold * PARTIAL_SCORE },
    ),
  });
  return (input) => {
    const tagged = new Set(rules(input).map((tag) => tag.topic));
    const partial = new Set(lowered(input).map((tag) => tag.topic).filter((topic) => !tagged.has(topic)));
    return { tagged, partial };
  };
}

function compileTopic(ruleSet: TopicRuleSet, defaultThreshold: number): CompiledTopic {
  const context = `topic "${ruleSet.topic}"`;
  const phrases = compilePatternSet(ruleSet.phrases, `${context} phrases`);
  return {
    topic: ruleSet.topic,
    threshold: ruleSet.threshold ?? defaultThreshold,
    phrases,
    noPhraseHits: {
      counts: new Array<number>(phrases.weights.length).fill(0),
      firstMatch: new Array<string | undefined>(phrases.weights.length).fill(undefined),
    },
    keywords: compilePatternSet(ruleSet.keywords, `${context} keywords`),
    categories: ruleSet.categories.map(compileCategory),
    taxonomyOrder: TOPIC_SLUGS.indexOf(ruleSet.topic),
  };
}

function compilePatternSet(rules: readonly WeightedPattern[], context: string): PatternSet {
  for (const rule of rules) {validatePattern(rule.pattern, context);}
  // One capturing group per rule tells which rule matched; rules themselves may not capture (validated above).
  const alternatives = rules.map((rule) => `(${rule.pattern})`).join('|');
  const source = rules.length === 0 ? '(?!)' : `${WORD_START}(?:${alternatives})${WORD_END}`;
  return { regex: new RegExp(source, 'giu'), weights: rules.map((rule) => rule.weight) };
}

/** Literals one of which any phrase of the list needs to match; null if a phrase has none (always scan). */
function phraseLiterals(rules: readonly WeightedPattern[]): string[] | null {
  const literals: string[] = [];
  for (const rule of rules) {
    const required = requiredLiterals(rule.pattern);
    if (required === null) {
      return null;
    }
    literals.push(...required);
  }
  return literals;
}

function validatePattern(pattern: string, context: string): void {
  let probe: RegExpExecArray | null;
  try {
    probe = new RegExp(`${pattern}|`, 'iu').exec('');
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Invalid pattern /${pattern}/ in ${context}: ${reason}`, { cause: error });
  }
  if (probe !== null && probe.length > 1) {
    throw new Error(`Pattern /${pattern}/ in ${context} has a capturing group; use (?:…) instead`);
  }
  if (new RegExp(`^(?:${pattern})$`, 'iu').test('')) {
    throw new Error(`Pattern /${pattern}/ in ${context} matches the empty string`);
  }
}

function compileCategory(rule: { readonly category: string; readonly weight: number }): CompiledCategory {
  const lower = rule.category.trim().toLowerCase();
  return lower.endsWith('.*')
    ? { archive: lower.slice(0, -2), category: undefined, weight: rule.weight }
    : { archive: undefined, category: lower, weight: rule.weight };
}

function categoryMatches(rule: CompiledCategory, category: string): boolean {
  const lower = category.toLowerCase();
  if (rule.category !== undefined) {return lower === rule.category;}
  return rule.archive !== undefined && (lower === rule.archive || lower.startsWith(`${rule.archive}.`));
}

/** Counts hits per rule in one pass; stops counting a rule at `cap` since later hits add nothing. */
function scanPhrases(set: PatternSet, text: string, cap: number): PhraseHits {
  const counts = new Array<number>(set.weights.length).fill(0);
  const firstMatch = new Array<string | undefined>(set.weights.length).fill(undefined);
  if (text.length === 0 || cap <= 0) {return { counts, firstMatch };}

  const regex = set.regex;
  regex.lastIndex = 0;
  let unsaturatedRules = set.weights.length;
  let match: RegExpExecArray | null;
  while (unsaturatedRules > 0 && (match = regex.exec(text)) !== null) {
    if (match[0].length === 0) {regex.lastIndex += 1;}
    const index = matchedRuleIndex(match);
    if (index < 0 || counts[index] >= cap) {continue;}
    counts[index] += 1;
    if (counts[index] === cap) {unsaturatedRules -= 1;}
    if (firstMatch[index] === undefined) {firstMatch[index] = evidenceText(match[0]);}
  }
  return { counts, firstMatch };
}

/** For each keyword rule, the first HF keyword it matches (each rule counts once per paper). */
function matchKeywords(set: PatternSet, keywords: readonly string[]): (string | undefined)[] {
  const matched = new Array<string | undefined>(set.weights.length).fill(undefined);
  for (const keyword of keywords) {
    if (keyword.length === 0) {continue;}
    const hits = scanPhrases(set, keyword, 1);
    hits.counts.forEach((count, index) => {
      if (count > 0 && matched[index] === undefined) {matched[index] = evidenceText(keyword);}
    });
  }
  return matched;
}

/** For each phrase rule of the topic, the first HF keyword it matches (each rule counts once per paper). */
function matchKeywordPhrases(
  compiled: CompiledTopic,
  topicIndex: number,
  keywords: readonly string[],
  candidates: readonly boolean[][],
): (string | undefined)[] {
  const matched = new Array<string | undefined>(compiled.phrases.weights.length).fill(undefined);
  keywords.forEach((keyword, keywordIndex) => {
    if (keyword.length === 0 || !candidates[keywordIndex][topicIndex]) {return;}
    const hits = scanPhrases(compiled.phrases, keyword, 1);
    hits.counts.forEach((count, index) => {
      if (count > 0 && matched[index] === undefined) {matched[index] = evidenceText(keyword);}
    });
  });
  return matched;
}

function matchedRuleIndex(match: RegExpExecArray): number {
  for (let group = 1; group < match.length; group += 1) {
    if (match[group] !== undefined) {return group - 1;}
  }
  return -1;
}

function sumFirst(weights: readonly number[], count: number): number {
  let total = 0;
  for (let index = 0; index < Math.min(count, weights.length); index += 1) {total += weights[index];}
  return total;
}

function orderEvidence(contributions: readonly Contribution[]): string[] {
  const ordered = contributions
    .map((contribution, position) => ({ ...contribution, position }))
    .sort((a, b) => b.points - a.points || a.position - b.position);
  return [...new Set(ordered.map((contribution) => contribution.text))];
}

function evidenceText(matched: string): string {
  const text = matched.toLowerCase().replace(/"/g, "'");
  return text.length > EVIDENCE_TEXT_MAX ? `${text.slice(0, EVIDENCE_TEXT_MAX)}…` : text;
}

/**
 * Bounds the length, folds compatibility forms (ligatures, full-width letters) and unifies dashes and
 * whitespace so that `chain‑of‑thought` (non-breaking hyphens) or a line break inside a phrase still match.
 */
function normalizeText(value: unknown, maxLength: number): string {
  if (typeof value !== 'string' || value.length === 0) {return '';}
  let text = value.length > maxLength ? value.slice(0, maxLength) : value;
  // Most abstracts are plain ASCII: skip the Unicode work for them.
  if (NON_ASCII.test(text)) {
    text = text.normalize('NFKC').replace(SOFT_HYPHEN, '').replace(UNICODE_DASHES, '-');
  }
  return (UNTIDY_WHITESPACE.test(text) ? text.replace(WHITESPACE_RUN, ' ') : text).trim();
}

function stringsOf(values: readonly unknown[] | undefined): string[] {
  if (!Array.isArray(values)) {return [];}
  return values
    .slice(0, MAX_LIST_ITEMS)
    .filter((value): value is string => typeof value === 'string' && value.length > 0);
}
