import { toWebSearchQuery } from './search-query';

describe('toWebSearchQuery', () => {
  it.each([
    ['resource-constrained', '"resource constrained"'],
    ['resource-constrained devices', '"resource constrained" devices'],
    ['quantization -survey', 'quantization -survey'],
    ['quantization -resource-constrained', 'quantization -"resource constrained"'],
    ['"test-time scaling"', '"test time scaling"'],
    ['llm -"test-time scaling"', 'llm -"test time scaling"'],
    ['state-of-the-art, agents', '"state of the art" agents'],
    ['diffusion or flow-matching', 'diffusion or "flow matching"'],
    ['"unterminated phrase', '"unterminated phrase"'],
    ['  plain   words  ', 'plain words'],
    ['""', ''],
    ['(low-rank) adapters', '"low rank" adapters'],
    ["low-rank's limits", '"low rank" limits'],
    ['agents -(multi-agent)', 'agents -"multi agent"'],
  ])('should rewrite %j as %j', (query, expected) => {
    expect(toWebSearchQuery(query)).toBe(expected);
  });
});
