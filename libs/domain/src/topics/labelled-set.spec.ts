import { readFileSync } from 'node:fs';
import path from 'node:path';
import { classifyTopics } from './classify-topics';
import { isTopicSlug, type TopicSlug } from './taxonomy';

/** Papers from the seed Daily Papers page, labelled by hand before the rules were tuned. */
interface LabelledPaper {
  title: string;
  abstract: string;
  topics: TopicSlug[];
}

const FIXTURE_PATH = path.join(__dirname, '../../../../test/fixtures/topics/labelled-papers.json');
const MIN_MICRO_F1 = 0.8;

function loadLabelledPapers(): LabelledPaper[] {
  const parsed: unknown = JSON.parse(readFileSync(FIXTURE_PATH, 'utf8'));
  if (!Array.isArray(parsed)) {throw new Error(`${FIXTURE_PATH} must hold an array`);}
  return parsed.map((entry: unknown, index): LabelledPaper => {
    const record = entry as Partial<Record<keyof LabelledPaper, unknown>>;
    const topics = Array.isArray(record.topics) ? record.topics : [];
    if (typeof record.title !== 'string' || typeof record.abstract !== 'string') {
      throw new Error(`paper #${index} needs a title and an abstract`);
    }
    const slugs = topics.filter((topic): topic is TopicSlug => typeof topic === 'string' && isTopicSlug(topic));
    if (slugs.length !== topics.length) {throw new Error(`paper #${index} has an unknown topic: ${String(topics)}`);}
    return { title: record.title, abstract: record.abstract, topics: slugs };
  });
}

interface MicroScores {
  precision: number;
  recall: number;
  f1: number;
}

function microScores(papers: readonly LabelledPaper[], predict: (paper: LabelledPaper) => TopicSlug[]): MicroScores {
  let truePositives = 0;
  let falsePositives = 0;
  let falseNegatives = 0;
  for (const paper of papers) {
    const expected = new Set(paper.topics);
    const predicted = new Set(predict(paper));
    for (const topic of predicted) {
      if (expected.has(topic)) {truePositives += 1;}
      else {falsePositives += 1;}
    }
    for (const topic of expected) {if (!predicted.has(topic)) {falseNegatives += 1;}}
  }
  const precision = truePositives / Math.max(1, truePositives + falsePositives);
  const recall = truePositives / Math.max(1, truePositives + falseNegatives);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

describe('classifyTopics on the labelled seed page', () => {
  const papers = loadLabelledPapers();
  const predictions = new Map(papers.map((paper) => [paper, classifyTopics(paper).map((tag) => tag.topic)]));

  it('should load every seed paper with at least one hand label', () => {
    expect(papers.length).toBeGreaterThanOrEqual(100);
    for (const paper of papers) {
      expect(paper.title.length).toBeGreaterThan(0);
      expect(paper.abstract.length).toBeGreaterThan(0);
      expect(paper.topics.length).toBeGreaterThan(0);
    }
  });

  it(`should reach a micro-F1 of at least ${MIN_MICRO_F1} against the hand labels`, () => {
    const scores = microScores(papers, (paper) => predictions.get(paper) ?? []);

    expect(scores.f1).toBeGreaterThanOrEqual(MIN_MICRO_F1);
    // Neither side may carry the score alone.
    expect(scores.precision).toBeGreaterThanOrEqual(0.75);
    expect(scores.recall).toBeGreaterThanOrEqual(0.75);
  });

  it('should give every paper at least one topic', () => {
    const untagged = papers.filter((paper) => (predictions.get(paper) ?? []).length === 0).map((paper) => paper.title);

    expect(untagged).toEqual([]);
  });
});
