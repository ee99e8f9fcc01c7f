import { CandidatePaper, keywordKey, markCandidates, rankCandidates } from './selection';

const paper = (
  id: string,
  upvotes: number,
  topics: Record<string, number> = {},
  listedAtMicros = 1,
): CandidatePaper => ({
  id,
  upvotes,
  listedAtMicros,
  topics: new Map(Object.entries(topics)),
});

const filter = (overrides: Partial<Parameters<typeof rankCandidates>[1]> = {}) => ({
  topics: [],
  keywords: [],
  excludeTopics: [],
  minUpvotes: 0,
  ...overrides,
});

describe('rankCandidates', () => {
  it('should keep papers of any wanted topic or keyword match, and everything when the subscription has neither', () => {
    const papers = [paper('a', 1, { llm: 2 }), paper('b', 2, { vision: 2 }), paper('c', 3)];
    expect(rankCandidates(papers, filter({ topics: ['llm'] }), null)).toEqual(['a']);
    expect(rankCandidates(papers, filter({ topics: ['llm'], keywords: ['x'] }), new Map([['c', 0.1]]))).toEqual([
      'c',
      'a',
    ]);
    expect(rankCandidates(papers, filter({ keywords: ['x'] }), new Map())).toEqual([]);
    expect(rankCandidates(papers, filter(), null)).toEqual(['c', 'b', 'a']);
  });

  it('should drop excluded topics and papers below the minimum upvotes', () => {
    const papers = [paper('a', 10, { llm: 1 }), paper('b', 10, { llm: 1, safety: 1 }), paper('c', 2, { llm: 1 })];
    expect(rankCandidates(papers, filter({ topics: ['llm'], excludeTopics: ['safety'], minUpvotes: 5 }), null)).toEqual(
      ['a'],
    );
  });

  it('should rank by upvotes, then topic scores plus keyword rank, then recency, then id', () => {
    const papers = [
      paper('d', 5, { llm: 1 }, 10),
      paper('c', 5, { llm: 1 }, 20),
      paper('b', 5, { llm: 1, agents: 2 }, 1),
      paper('a', 9, {}, 1),
      paper('e', 5, { llm: 1 }, 20),
      paper('f', 5, { llm: 1 }, 1),
    ];
    const ranks = new Map([
      ['a', 0.01],
      ['f', 2.5],
    ]);
    expect(rankCandidates(papers, filter({ topics: ['llm', 'agents'], keywords: ['k'] }), ranks)).toEqual([
      'a',
      'f',
      'b',
      'c',
      'e',
      'd',
    ]);
  });
});

describe('markCandidates', () => {
  it('should mark, in candidate order, exactly the papers rankCandidates keeps', () => {
    const papers = [
      paper('a', 1, { llm: 2 }),
      paper('b', 2, { vision: 2 }),
      paper('c', 3),
      paper('d', 9, { llm: 1, safety: 1 }),
      paper('e', 0, { llm: 1 }),
    ];
    const keywordRanks = new Map([['c', 0.1]]);
    const filters = [
      filter({ topics: ['llm'] }),
      filter({ topics: ['llm'], keywords: ['x'] }),
      filter({ keywords: ['x'] }),
      filter({ topics: ['llm'], excludeTopics: ['safety'], minUpvotes: 1 }),
      filter(),
    ];
    for (const wanted of filters) {
      const kept = new Set(rankCandidates(papers, wanted, keywordRanks));
      expect(Array.from(markCandidates(papers, wanted, keywordRanks))).toEqual(
        papers.map((p) => (kept.has(p.id) ? 1 : 0)),
      );
    }
    expect(Array.from(markCandidates(papers, filters[3], null))).toEqual([1, 0, 0, 0, 0]);
  });
});

describe('keywordKey', () => {
  it('should name the same keyword list the same whatever its order', () => {
    expect(keywordKey(['b', 'a'])).toBe(keywordKey(['a', 'b']));
    expect(keywordKey(['a'])).not.toBe(keywordKey(['a', 'b']));
  });
});
