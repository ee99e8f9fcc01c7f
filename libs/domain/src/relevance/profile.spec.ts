import { profileTerms, termLabel } from './profile';
import type { RelevanceModel } from './model';

const model = (weights: Record<string, number>): RelevanceModel => ({
  terms: Object.keys(weights),
  weights: Float32Array.from(Object.values(weights)),
  liked: 2,
  disliked: 1,
});

describe('profileTerms', () => {
  const papers = [
    { paperId: 'a', vote: 'up' as const, counts: new Map([['kv cache', 2], ['quantization', 1]]) },
    { paperId: 'b', vote: 'up' as const, counts: new Map([['kv cache', 1]]) },
    { paperId: 'c', vote: 'down' as const, counts: new Map([['diffusion', 3], ['quantization', 1]]) },
  ];

  it('lists the heaviest terms each way with the votes of that direction behind them', () => {
    const terms = profileTerms(
      model({ quantization: 0.2, 'kv cache': 0.5, diffusion: -0.4, robot: -0.1 }),
      papers,
      new Map([['kv cache', 'KV cache']]),
      10,
    );
    expect(terms.liked.map(({ label, paperIds }) => [label, paperIds])).toEqual([
      ['KV cache', ['a', 'b']],
      ['quantization', ['a']],
    ]);
    // "robot" was learned from papers never voted on: nothing of the subscriber's to remove.
    expect(terms.disliked.map(({ term, paperIds }) => [term, paperIds])).toEqual([['diffusion', ['c']]]);
  });

  it('keeps at most `limit` terms each way, the heaviest first', () => {
    const terms = profileTerms(model({ quantization: 0.2, 'kv cache': 0.5 }), papers, new Map(), 1);
    expect(terms.liked.map((term) => term.term)).toEqual(['kv cache']);
  });

  it('leaves out a term whose votes were taken back before the model was trained again', () => {
    const terms = profileTerms(model({ 'kv cache': 0.5 }), papers.slice(2), new Map(), 10);
    expect(terms.liked).toEqual([]);
  });
});

describe('termLabel', () => {
  it('spells categories and authors for a reader when no paper spells them', () => {
    expect(termLabel('category:cs.cl', new Map())).toBe('arXiv cs.CL');
    expect(termLabel('category:hep-th', new Map())).toBe('arXiv hep-th');
    expect(termLabel('author:doe j', new Map())).toBe('doe j');
    expect(termLabel('author:doe j', new Map([['author:doe j', 'Jane Doe']]))).toBe('Jane Doe');
  });
});
