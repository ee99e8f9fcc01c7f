import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  classifyTopics,
  createRuleVerdicts,
  createTopicClassifier,
  isTopicSlug,
  TOPIC_RULES,
  TOPIC_SLUGS,
  type TopicClassifier,
  type TopicInput,
  type TopicSlug,
} from '../libs/domain/src';
import { parseLabelledPapers, type LabelledPaper } from '../libs/domain/src/topics/labelled-papers';
import { fitTopicModel, foldOf } from '../libs/domain/src/topics/topic-model';
import { measureHeldOutQuality, measureTopicQuality } from '../libs/domain/src/topics/topic-metrics';
import { argument } from './bench-support';

/**
 * Topic quality: runs classifyTopics over the hand-labelled set (test/fixtures/topics/labelled-papers.json)
 * and prints per-topic support, precision, recall and F1, then micro and macro F1 and the papers left
 * without a topic. Also times the classifier per paper; the baseline, measured in the same run on the
 * same texts, is a plain lower-casing + String#includes scan for literal expansions of the same phrases.
 * Then a k-fold cross-validation over every paper it may see (the labelled set and training-papers.json;
 * never the held-out set): rules on title and abstract only, rules with the paper's metadata (arXiv
 * categories, HF keywords), and rules + metadata + the model trained on the other folds (its thresholds
 * chosen by an inner cross-validation of those folds only). Prints figures only.
 *
 * Last, the held-out set (test/fixtures/topics/held-out-papers.json, real papers never used for tuning or
 * training): recall on the clear-cut tags and the false tags, as a share of the clear negatives (the CV's
 * measure) and of all predicted tags, with per-topic misses and false tags.
 *
 *   node -r @swc-node/register bench/topic-quality.ts [--min-ms 1000] [--folds 5] [--skip-cv]
 */
const minMs = Number(argument('--min-ms') ?? 1000);
const outerFolds = Number(argument('--folds') ?? 5);
const root = repositoryRoot(__dirname);
const fixture = join(root, 'test/fixtures/topics/labelled-papers.json');
const trainingFixture = join(root, 'test/fixtures/topics/training-papers.json');
const heldOutFixture = join(root, 'test/fixtures/topics/held-out-papers.json');

interface HeldOutPaper extends TopicInput {
  clearTopics: TopicSlug[];
  borderlineTopics: TopicSlug[];
}

function main(): void {
  const papers = loadPapers(fixture);
  const rows = papers.map((paper) => ({
    expected: paper.topics,
    predicted: classifyTopics(paper).map((tag) => tag.topic),
  }));
  const quality = measureTopicQuality(rows);

  const sources = new Map<string, number>();
  for (const paper of papers) {
    sources.set(paper.source, (sources.get(paper.source) ?? 0) + 1);
  }
  console.log(`Labelled set: ${papers.length} papers (${[...sources].map(([s, n]) => `${s} ${n}`).join(', ')})`);
  console.log('');
  console.log(
    `${'topic'.padEnd(18)}${'support'.padStart(8)}${'tp'.padStart(5)}${'fp'.padStart(5)}${'fn'.padStart(5)}` +
      `${'precision'.padStart(11)}${'recall'.padStart(8)}${'F1'.padStart(7)}`,
  );
  for (const entry of quality.perTopic) {
    console.log(
      `${entry.topic.padEnd(18)}${String(entry.support).padStart(8)}${String(entry.truePositives).padStart(5)}` +
        `${String(entry.falsePositives).padStart(5)}${String(entry.falseNegatives).padStart(5)}` +
        `${fixed(entry.precision).padStart(11)}${fixed(entry.recall).padStart(8)}${fixed(entry.f1).padStart(7)}`,
    );
  }
  console.log('');
  console.log(
    `micro precision ${fixed(quality.micro.precision)}  recall ${fixed(quality.micro.recall)}  ` +
      `F1 ${fixed(quality.micro.f1)}`,
  );
  console.log(`macro F1 ${fixed(quality.macroF1)}`);
  console.log(`papers without a topic: ${quality.untagged} of ${papers.length}`);

  const bySource = [...sources.keys()].map((source) => {
    const subset = rows.filter((_, index) => papers[index].source === source);
    return `${source} ${fixed(measureTopicQuality(subset).micro.f1)}`;
  });
  console.log(`micro F1 by source: ${bySource.join(', ')}`);

  // Timing: the classifier against a bare includes scan of the same texts for the same phrases.
  const literals = TOPIC_RULES.topics.flatMap((rules) => rules.phrases.flatMap((rule) => literalsOf(rule.pattern)));
  const texts = papers.map((paper) => `${paper.title}\n${paper.abstract}`);
  let sink = 0;
  const classifier = timePerItem(papers.length, () => {
    for (const paper of papers) {
      sink += classifyTopics(paper).length;
    }
  });
  const baseline = timePerItem(papers.length, () => {
    for (const text of texts) {
      const lower = text.toLowerCase();
      for (const literal of literals) {
        if (lower.includes(literal)) {
          sink += 1;
        }
      }
    }
  });
  console.log('');
  console.log(`classifyTopics: ${fixed(classifier * 1000, 1)} µs per paper`);
  console.log(
    `baseline (toLowerCase + includes over ${literals.length} literal phrases): ${fixed(baseline * 1000, 1)} µs per paper`,
  );
  console.log(`ratio classifier / baseline: ${fixed(classifier / baseline, 2)}x  (checksum ${sink % 997})`);

  if (!process.argv.includes('--skip-cv')) {
    const training = existsSync(trainingFixture) ? loadPapers(trainingFixture) : [];
    crossValidate([...papers, ...training]);
  }
  reportHeldOut(loadHeldOutPapers(heldOutFixture));
}

interface CvCounts {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  negatives: number;
  missed: Map<TopicSlug, number>;
  falseTags: Map<TopicSlug, number>;
}

/** Recall and false-tag rate by k-fold cross-validation, for the rules alone, with metadata, and with the model. */
function crossValidate(papers: readonly LabelledPaper[]): void {
  const rules = createTopicClassifier(TOPIC_RULES);
  const verdicts = createRuleVerdicts(TOPIC_RULES);
  const textOnly: CvCounts = emptyCounts();
  const withMetadata: CvCounts = emptyCounts();
  const withModel: CvCounts = emptyCounts();
  // Per source: the labelled set's sources were tuned on; hot-papers-2020 never was.
  const bySource = new Map<string, CvCounts[]>();
  const started = performance.now();
  for (let fold = 0; fold < outerFolds; fold++) {
    const inFold = (paper: LabelledPaper): boolean => foldOf(`outer:${paper.title}`, outerFolds) === fold;
    const trainingSet = papers.filter((paper) => !inFold(paper));
    const full: TopicClassifier = createTopicClassifier(TOPIC_RULES, fitTopicModel(trainingSet, verdicts));
    for (const paper of papers.filter(inFold)) {
      const source = bySource.get(paper.source) ?? [emptyCounts(), emptyCounts(), emptyCounts()];
      bySource.set(paper.source, source);
      const predictions = [rules({ title: paper.title, abstract: paper.abstract }), rules(paper), full(paper)];
      [textOnly, withMetadata, withModel].forEach((counts, index) => count(counts, paper, predictions[index]));
      source.forEach((counts, index) => count(counts, paper, predictions[index]));
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const sources = new Map<string, number>();
  for (const paper of papers) {
    sources.set(paper.source, (sources.get(paper.source) ?? 0) + 1);
  }
  console.log('');
  console.log(
    `Cross-validation: ${outerFolds} folds over ${papers.length} papers ` +
      `(${[...sources].map(([s, n]) => `${s} ${n}`).join(', ')}), ${fixed(seconds, 1)} s`,
  );
  console.log(`${'tagging'.padEnd(34)}${'recall'.padStart(8)}${'false tags'.padStart(12)}${'precision'.padStart(11)}${'F1'.padStart(7)}`);
  for (const [name, counts] of [
    ['rules (title + abstract)', textOnly],
    ['rules + metadata', withMetadata],
    ['rules + metadata + model', withModel],
  ] as const) {
    const recall = counts.truePositives / (counts.truePositives + counts.falseNegatives);
    const precision = counts.truePositives / (counts.truePositives + counts.falsePositives);
    console.log(
      `${name.padEnd(34)}${fixed(recall).padStart(8)}${`${fixed((100 * counts.falsePositives) / counts.negatives, 2)} %`.padStart(12)}` +
        `${fixed(precision).padStart(11)}${fixed((2 * precision * recall) / (precision + recall)).padStart(7)}`,
    );
  }
  console.log('');
  console.log('recall (false tags) by source: rules / + metadata / + model');
  for (const [source, counts] of bySource) {
    const cells = counts.map(
      (entry) =>
        `${fixed(entry.truePositives / (entry.truePositives + entry.falseNegatives))} ` +
        `(${fixed((100 * entry.falsePositives) / entry.negatives, 2)} %)`,
    );
    console.log(`  ${source.padEnd(16)} ${cells.join(' / ')}`);
  }
  console.log('');
  console.log('per topic, rules + metadata -> + model: missed tags, false tags');
  for (const topic of TOPIC_SLUGS) {
    const line =
      `${topic.padEnd(18)} missed ${String(withMetadata.missed.get(topic) ?? 0).padStart(2)} -> ` +
      `${String(withModel.missed.get(topic) ?? 0).padStart(2)}   false ${String(withMetadata.falseTags.get(topic) ?? 0).padStart(2)} -> ` +
      `${String(withModel.falseTags.get(topic) ?? 0).padStart(2)}`;
    console.log(line);
  }
}

function emptyCounts(): CvCounts {
  return { truePositives: 0, falsePositives: 0, falseNegatives: 0, negatives: 0, missed: new Map(), falseTags: new Map() };
}

function count(counts: CvCounts, paper: LabelledPaper, tags: readonly { topic: TopicSlug }[]): void {
  const predicted = new Set(tags.map((tag) => tag.topic));
  counts.negatives += TOPIC_SLUGS.length - paper.topics.length;
  for (const topic of paper.topics) {
    if (predicted.has(topic)) {
      counts.truePositives += 1;
    } else {
      counts.falseNegatives += 1;
      counts.missed.set(topic, (counts.missed.get(topic) ?? 0) + 1);
    }
  }
  for (const topic of predicted) {
    if (!paper.topics.includes(topic)) {
      counts.falsePositives += 1;
      counts.falseTags.set(topic, (counts.falseTags.get(topic) ?? 0) + 1);
    }
  }
}

function reportHeldOut(papers: HeldOutPaper[]): void {
  const quality = measureHeldOutQuality(
    papers.map((paper) => ({
      clear: paper.clearTopics,
      borderline: paper.borderlineTopics,
      predicted: classifyTopics(paper).map((tag) => tag.topic),
    })),
  );
  console.log('');
  console.log(
    `${'held-out topic'.padEnd(18)}${'clear'.padStart(7)}${'found'.padStart(7)}${'missed'.padStart(8)}` +
      `${'false'.padStart(7)}${'recall'.padStart(8)}`,
  );
  for (const entry of quality.perTopic) {
    console.log(
      `${entry.topic.padEnd(18)}${String(entry.clear).padStart(7)}${String(entry.found).padStart(7)}` +
        `${String(entry.missed).padStart(8)}${String(entry.falseTags).padStart(7)}${fixed(entry.recall).padStart(8)}`,
    );
  }
  console.log(
    `held-out: ${quality.papers} papers, recall ${fixed(quality.recall)} on clear-cut tags, ` +
      `false tags ${fixed(quality.negativesTaggedRate * 100, 2)} % of clear negatives ` +
      `(${fixed(quality.falseTagRate * 100, 1)} % of predicted tags)`,
  );
  console.log(
    `  (${quality.foundClearTags} of ${quality.clearTags} clear-cut tags found; ` +
      `${quality.falseTags} of ${quality.predictedTags} predicted tags neither clear nor borderline, among ` +
      `${quality.clearNegatives} clear negatives; goal: recall >= 0.9, false tags <= 2 %)`,
  );
}

/** Milliseconds per item, after a warm-up, repeating the batch until at least `minMs` have passed. */
function timePerItem(items: number, batch: () => void): number {
  batch();
  let runs = 0;
  const start = performance.now();
  let elapsed: number;
  do {
    batch();
    runs += 1;
    elapsed = performance.now() - start;
  } while (elapsed < minMs);
  return elapsed / (runs * items);
}

/**
 * Literal strings a rule pattern stands for, for the includes baseline: alternatives and optional parts
 * are expanded, character classes take their first character, `\w*`-style repeats are dropped.
 */
function literalsOf(pattern: string): string[] {
  let position = 0;
  const LIMIT = 64;

  function cross(left: string[], right: string[]): string[] {
    const out: string[] = [];
    for (const a of left) {
      for (const b of right) {
        if (out.length < LIMIT) {
          out.push(a + b);
        }
      }
    }
    return out;
  }

  function alternatives(): string[] {
    let result: string[] = [];
    let current = [''];
    while (position < pattern.length && pattern[position] !== ')') {
      if (pattern[position] === '|') {
        result = result.concat(current);
        current = [''];
        position += 1;
        continue;
      }
      let atom = atomAt();
      const next = pattern[position];
      if (next === '?') {
        atom = [...atom, ''];
        position += 1;
      } else if (next === '*') {
        atom = [''];
        position += 1;
      } else if (next === '+') {
        position += 1;
      } else if (next === '{') {
        position = pattern.indexOf('}', position) + 1;
      }
      current = cross(current, atom);
    }
    return result.concat(current).slice(0, LIMIT);
  }

  function atomAt(): string[] {
    const char = pattern[position];
    if (char === '(') {
      position += pattern.startsWith('(?:', position) ? 3 : 1;
      const inner = alternatives();
      position += 1;
      return inner;
    }
    if (char === '[') {
      const end = pattern.indexOf(']', position);
      const first = pattern[position + 1] === '\\' ? pattern[position + 2] : pattern[position + 1];
      position = end + 1;
      return [first];
    }
    if (char === '\\') {
      const escaped = pattern[position + 1];
      position += 2;
      if (escaped === 'w' || escaped === 'p') {
        return ['a'];
      }
      if (escaped === 'd') {
        return ['1'];
      }
      return [escaped];
    }
    position += 1;
    return [char === '.' ? ' ' : char];
  }

  return [...new Set(alternatives().map((literal) => literal.toLowerCase().trim()))].filter((l) => l.length > 0);
}

function loadPapers(file: string): LabelledPaper[] {
  return parseLabelledPapers(JSON.parse(readFileSync(file, 'utf8')), file);
}

function loadHeldOutPapers(file: string): HeldOutPaper[] {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { papers?: unknown };
  if (!Array.isArray(parsed.papers)) {
    throw new Error(`${file} must hold { papers: [...] }`);
  }
  return parsed.papers.map((entry: unknown, index): HeldOutPaper => {
    const record = entry as Record<string, unknown>;
    if (typeof record.title !== 'string' || typeof record.abstract !== 'string') {
      throw new Error(`held-out paper #${index} needs a title and an abstract`);
    }
    return {
      title: record.title,
      abstract: record.abstract,
      categories: stringList(record.categories),
      keywords: stringList(record.keywords),
      clearTopics: slugList(record.clearTopics),
      borderlineTopics: slugList(record.borderlineTopics),
    };
  });
}

function slugList(value: unknown): TopicSlug[] {
  return Array.isArray(value)
    ? value.filter((item): item is TopicSlug => typeof item === 'string' && isTopicSlug(item))
    : [];
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;
}

function fixed(value: number, digits = 3): string {
  return value.toFixed(digits);
}

function repositoryRoot(from: string): string {
  return existsSync(join(from, 'package.json')) ? from : repositoryRoot(dirname(from));
}

main();
