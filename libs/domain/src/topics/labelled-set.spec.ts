import { readFileSync } from 'node:fs';
import path from 'node:path';
import { classifyTopics } from './classify-topics';
import { parseLabelledPapers, type LabelledPaper } from './labelled-papers';
import { TOPIC_SLUGS } from './taxonomy';
import { measureTopicQuality } from './topic-metrics';

/**
 * Hand-labelled papers: the seed Daily Papers page, the 2024-10-25 Daily Papers page, and papers written in the
 * style of arXiv listings for the thinner topics. Each was labelled before the rules were run on it.
 */
const FIXTURE_PATH = path.join(__dirname, '../../../../test/fixtures/topics/labelled-papers.json');
const SOURCES = new Set(['seed', 'hf-2024-10-25', 'written']);
const MIN_PAPERS = 200;
const MIN_SUPPORT_PER_TOPIC = 5;
const MIN_MICRO_F1 = 0.85;

function loadLabelledPapers(): LabelledPaper[] {
  return parseLabelledPapers(JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')), FIXTURE_PATH);
}

describe('classifyTopics on the labelled set', () => {
  const papers = loadLabelledPapers();
  const predictions = new Map(papers.map((paper) => [paper, classifyTopics(paper).map((tag) => tag.topic)]));
  const quality = measureTopicQuality(
    papers.map((paper) => ({ expected: paper.topics, predicted: predictions.get(paper) ?? [] })),
  );

  it(`should hold at least ${MIN_PAPERS} distinct papers, each with a known source and at least one hand label`, () => {
    expect(papers.length).toBeGreaterThanOrEqual(MIN_PAPERS);
    expect(new Set(papers.map((paper) => paper.title.toLowerCase())).size).toBe(papers.length);
    for (const paper of papers) {
      expect(paper.title.length).toBeGreaterThan(0);
      expect(paper.abstract.length).toBeGreaterThan(0);
      expect(paper.topics.length).toBeGreaterThan(0);
      expect(new Set(paper.topics).size).toBe(paper.topics.length);
      expect(SOURCES.has(paper.source)).toBe(true);
    }
  });

  it(`should cover every topic with at least ${MIN_SUPPORT_PER_TOPIC} papers`, () => {
    const thin = quality.perTopic
      .filter((entry) => entry.support < MIN_SUPPORT_PER_TOPIC)
      .map((entry) => `${entry.topic}: ${entry.support}`);

    expect(thin).toEqual([]);
    expect(quality.perTopic.map((entry) => entry.topic)).toEqual([...TOPIC_SLUGS]);
  });

  it(`should reach a micro-F1 of at least ${MIN_MICRO_F1} against the hand labels`, () => {
    expect(quality.micro.f1).toBeGreaterThanOrEqual(MIN_MICRO_F1);
    // Neither side may carry the score alone.
    expect(quality.micro.precision).toBeGreaterThanOrEqual(0.8);
    expect(quality.micro.recall).toBeGreaterThanOrEqual(0.8);
  });

  it('should give every paper at least one topic', () => {
    const untagged = papers.filter((paper) => (predictions.get(paper) ?? []).length === 0).map((paper) => paper.title);

    expect(untagged).toEqual([]);
    expect(quality.untagged).toBe(0);
  });
});
