import { stem, tokenize } from './tokenize';

describe('tokenize', () => {
  it('keeps content words with their spelling, drops stop words and boilerplate, and adds bigrams', () => {
    const tokens = tokenize('We propose KV-cache quantization for long contexts.');
    expect(tokens.map((token) => token.term)).toEqual([
      'kv',
      'cach',
      'kv cach',
      'quantization',
      'cach quantization',
      'long',
      'context',
      'long context',
    ]);
    expect(tokens.find((token) => token.term === 'kv cach')?.surface).toBe('KV cache');
  });

  it('starts no bigram across punctuation or a dropped word', () => {
    const terms = tokenize('Diffusion, distillation; pruning of transformers').map((token) => token.term);
    expect(terms).not.toContain('diffusion distillation');
    expect(terms).not.toContain('pruning transformer');
    expect(terms).toEqual(expect.arrayContaining(['diffusion', 'distillation', 'pruning', 'transformer']));
  });

  it('drops numbers, single letters and possessive endings', () => {
    expect(tokenize("2024 a LLaMA's 7B").map((token) => token.surface)).toEqual(['LLaMA', '7B', 'LLaMA 7B']);
  });
});

describe('stem', () => {
  it.each([
    ['models', 'model'],
    ['policies', 'policy'],
    ['caches', 'cach'],
    ['cache', 'cach'],
    ['patches', 'patch'],
    ['patch', 'patch'],
    ['images', 'imag'],
    ['analysis', 'analysis'],
    ['loss', 'loss'],
    ['gpus', 'gpu'],
    ['previous', 'previous'],
    ['llms', 'llm'],
  ])('%s → %s', (word, expected) => {
    expect(stem(word)).toBe(expected);
  });
});
