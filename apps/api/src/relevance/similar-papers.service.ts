import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { FoundPaper, PaperRepository, RelevanceRepository } from '@libs/database';
import { similarPapers, termCounts, TfIdfFeaturizer, type TermCounts } from '@libs/domain';
import { PaperItem, toPaperItem } from '../papers/papers.service';
import { paperReference } from './paper-reference';
import { UnknownPaperError } from './feedback.service';

/** The target's heaviest terms that pick the pool of candidates from the index. */
const POOL_TERMS = 30;
/** Candidates ranked per request: the newest papers sharing one of those terms. */
const POOL_SIZE = 1000;
/** Answers kept: a paper page's "More like this" is asked on every view, and recomputing it reads ~1000 papers. */
const MEMO_ENTRIES = 500;

/** "More like this": the papers closest to one paper by the cosine of their tf-idf vectors. */
@Injectable()
export class SimilarPapersService {
  private readonly memo = new LRUCache<string, PaperItem[]>({ max: MEMO_ENTRIES });

  constructor(
    private readonly relevance: RelevanceRepository,
    private readonly papers: PaperRepository,
  ) {}

  /** Best first; throws UnknownPaperError when the id names no paper Paperboy knows. */
  async similar(reference: string, limit: number): Promise<{ items: PaperItem[] }> {
    const parsed = paperReference(reference);
    const paper = parsed && !('doi' in parsed) ? await this.relevance.findPaper(parsed) : null;
    if (!paper) {
      throw new UnknownPaperError(`Paper ${JSON.stringify(reference)} is not known to Paperboy`);
    }
    // Keyed by the ready papers' version: a paper classified, changed or merged since makes a new key.
    const { changedAt, count } = await this.papers.readyVersion();
    const key = `${paper.id}/${limit}/${changedAt?.toISOString() ?? '-'}/${count}`;
    const memoized = this.memo.get(key);
    if (memoized) {
      return { items: memoized };
    }
    const items = await this.compute(paper, limit);
    this.memo.set(key, items);
    return { items };
  }

  private async compute(paper: FoundPaper, limit: number): Promise<PaperItem[]> {
    // A paper classified before features existed (or not ready yet) is featurized here, without storing.
    const own: TermCounts = (await this.relevance.features([paper.id])).get(paper.id) ?? termCounts(paper);
    const frequencies = await this.relevance.frequencies([...own.keys()]);
    const featurizer = new TfIdfFeaturizer(frequencies);
    const target = { id: paper.id, vector: featurizer.vectorize(own) };
    const heaviest = [...target.vector.terms]
      .map((term, i) => ({ term, weight: target.vector.weights[i] }))
      .sort((a, b) => b.weight - a.weight)
      .slice(0, POOL_TERMS)
      .map(({ term }) => term);
    const pool = await this.relevance.features(await this.relevance.neighbours(paper.id, heaviest, POOL_SIZE));
    const poolFrequencies = await this.relevance.frequencies([
      ...new Set([...pool.values()].flatMap((counts) => [...counts.keys()])),
    ]);
    const poolFeaturizer = new TfIdfFeaturizer(poolFrequencies);
    const best = similarPapers(
      { id: paper.id, vector: poolFeaturizer.vectorize(own) },
      [...pool].map(([id, counts]) => ({ id, vector: poolFeaturizer.vectorize(counts) })),
      limit,
    );
    const found = await this.papers.findWithTopics(best.map((entry) => entry.id));
    return found.map(toPaperItem);
  }
}
