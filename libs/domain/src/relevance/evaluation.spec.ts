import { ndcgAt, rankByScore, rocAuc } from './evaluation';

describe('ranking metrics', () => {
  const relevant = new Set(['a', 'b']);

  it('nDCG is 1 for the ideal order and lower when relevant papers come later', () => {
    expect(ndcgAt(10, ['a', 'b', 'c'], relevant)).toBe(1);
    const late = ndcgAt(10, ['c', 'a', 'b'], relevant);
    expect(late).toBeCloseTo((1 / Math.log2(3) + 1 / Math.log2(4)) / (1 + 1 / Math.log2(3)), 10);
    expect(ndcgAt(1, ['c', 'a', 'b'], relevant)).toBe(0);
  });

  it('AUC counts ordered pairs, ties half', () => {
    expect(
      rocAuc(
        new Map([
          ['a', 3],
          ['b', 2],
          ['c', 1],
        ]),
        relevant,
      ),
    ).toBe(1);
    expect(
      rocAuc(
        new Map([
          ['a', 1],
          ['b', 1],
          ['c', 1],
        ]),
        relevant,
      ),
    ).toBe(0.5);
    expect(
      rocAuc(
        new Map([
          ['a', 0],
          ['b', 2],
          ['c', 1],
        ]),
        relevant,
      ),
    ).toBe(0.5);
  });

  it('ranks by score, ties by id', () => {
    expect(
      rankByScore(
        new Map([
          ['b', 1],
          ['a', 1],
          ['c', 2],
        ]),
      ),
    ).toEqual(['c', 'a', 'b']);
  });
});
