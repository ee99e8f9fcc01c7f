import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isTopicSlug } from './taxonomy';

/**
 * Shape of the held-out topic set (test/fixtures/topics/held-out-papers.json). It only checks the file; the
 * classifier is measured against it in bench/topic-quality.ts and nowhere else, so tuning never reads the labels.
 */
const FIXTURE_DIR = path.join(__dirname, '../../../../test/fixtures/topics');
const MIN_PAPERS = 100;
const ARXIV_ID = /^\d{4}\.\d{4,5}$/;
const COMMIT = /^[0-9a-f]{40}$/;

interface HeldOutPaper {
  arxivId: string;
  title: string;
  abstract: string;
  categories?: unknown;
  keywords?: unknown;
  clearTopics: unknown[];
  borderlineTopics: unknown[];
  provenance: { repo?: unknown; path?: unknown; commit?: unknown };
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(path.join(FIXTURE_DIR, file), 'utf8'));
}

function normalisedTitle(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

function isStringList(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string' && item !== '');
}

describe('the held-out topic set', () => {
  const document = readJson('held-out-papers.json') as { about?: unknown; papers?: unknown };
  const papers = (Array.isArray(document.papers) ? document.papers : []) as HeldOutPaper[];
  const labelled = readJson('labelled-papers.json') as { title: string; arxivId?: string }[];

  it(`should say it is never used for tuning and hold at least ${MIN_PAPERS} papers`, () => {
    expect(typeof document.about).toBe('string');
    expect(String(document.about)).toMatch(/never used for tuning/i);
    expect(papers.length).toBeGreaterThanOrEqual(MIN_PAPERS);
  });

  it('should give every paper an arXiv id, a title, an abstract and where it was found', () => {
    const malformed = papers.filter(
      (paper) =>
        !ARXIV_ID.test(paper.arxivId) ||
        typeof paper.title !== 'string' ||
        paper.title.trim() === '' ||
        typeof paper.abstract !== 'string' ||
        paper.abstract.trim() === '' ||
        (paper.categories !== undefined && !isStringList(paper.categories)) ||
        (paper.keywords !== undefined && !isStringList(paper.keywords)) ||
        typeof paper.provenance?.repo !== 'string' ||
        typeof paper.provenance.path !== 'string' ||
        typeof paper.provenance.commit !== 'string' ||
        !COMMIT.test(paper.provenance.commit),
    );

    expect(malformed.map((paper) => paper.arxivId ?? paper.title)).toEqual([]);
  });

  it('should use only taxonomy slugs, at least one clear-cut tag per paper, and no tag both clear and borderline', () => {
    const wrong = papers.filter((paper) => {
      const clear = paper.clearTopics;
      const borderline = paper.borderlineTopics;
      const all = [...clear, ...borderline];
      return (
        clear.length === 0 ||
        !all.every((topic) => typeof topic === 'string' && isTopicSlug(topic)) ||
        new Set(all).size !== all.length
      );
    });

    expect(
      wrong.map((paper) => `${paper.arxivId}: ${String(paper.clearTopics)} | ${String(paper.borderlineTopics)}`),
    ).toEqual([]);
  });

  it('should hold each paper once and share no paper with the labelled set', () => {
    const titles = papers.map((paper) => normalisedTitle(paper.title));
    const ids = papers.map((paper) => paper.arxivId);
    const labelledTitles = new Set(labelled.map((paper) => normalisedTitle(paper.title)));
    const labelledIds = new Set(labelled.flatMap((paper) => (paper.arxivId === undefined ? [] : [paper.arxivId])));

    expect(new Set(titles).size).toBe(papers.length);
    expect(new Set(ids).size).toBe(papers.length);
    expect(papers.filter((paper) => labelledTitles.has(normalisedTitle(paper.title))).map((p) => p.title)).toEqual([]);
    expect(ids.filter((id) => labelledIds.has(id))).toEqual([]);
  });
});
