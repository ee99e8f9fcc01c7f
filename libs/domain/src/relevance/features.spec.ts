import { authorTerm, DocumentFrequencies, dot, surfaceForms, termCounts, TfIdfFeaturizer } from './features';

const corpus = [
  {
    title: 'KV cache quantization',
    abstract: 'We quantize the KV cache of long-context models.',
    authors: ['Jane Doe'],
    categories: ['cs.CL'],
  },
  { title: 'Diffusion distillation', abstract: 'Few-step image diffusion by distillation.', authors: ['J. Doe'] },
  { title: 'Speculative decoding', abstract: 'Draft models speed up decoding of long-context models.' },
];

describe('termCounts', () => {
  it('weighs title words double and adds author and category features', () => {
    const counts = termCounts(corpus[0]);
    expect(counts.get('quantization')).toBe(2);
    expect(counts.get('kv cach')).toBe(3);
    expect(counts.get('author:doe j')).toBe(1);
    expect(counts.get('category:cs.cl')).toBe(1);
  });

  it('gives "Jane Doe" and "J. Doe" the same author feature (surname and initial)', () => {
    expect(authorTerm('Jane Doe')).toBe(authorTerm('J. Doe'));
    expect(authorTerm('John Smith')).not.toBe(authorTerm('Jane Doe'));
  });
});

describe('TfIdfFeaturizer', () => {
  const counts = corpus.map(termCounts);
  const frequencies = DocumentFrequencies.of(counts);
  const featurizer = new TfIdfFeaturizer(frequencies);

  it('makes unit vectors', () => {
    const vector = featurizer.vectorize(counts[0]);
    expect(dot(vector, vector)).toBeCloseTo(1, 5);
  });

  it('weighs a term found in fewer papers more', () => {
    const vector = featurizer.vectorize(counts[2]);
    const weight = (term: string): number => vector.weights[vector.terms.indexOf(term)];
    expect(frequencies.frequency('long')).toBe(2);
    expect(frequencies.frequency('draft')).toBe(1);
    expect(weight('draft')).toBeGreaterThan(weight('long'));
  });

  it('drops bigrams only one paper has, keeps shared ones', () => {
    const vector = featurizer.vectorize(counts[2]);
    expect(vector.terms).toContain('long context');
    expect(vector.terms).not.toContain('speculative decoding');
  });

  it('counts documents incrementally', () => {
    const incremental = new DocumentFrequencies();
    counts.forEach((paperCounts) => incremental.add(paperCounts));
    expect(incremental.documents).toBe(3);
    expect(incremental.idf('kv cach')).toBeCloseTo(frequencies.idf('kv cach'), 10);
    expect(incremental.idf('never seen')).toBeGreaterThan(incremental.idf('kv cach'));
  });
});

describe('surfaceForms', () => {
  it('spells terms as the paper does, and author terms as the name', () => {
    const forms = surfaceForms(corpus[0]);
    expect(forms.get('kv cach')).toBe('KV cache');
    expect(forms.get('author:doe j')).toBe('Jane Doe');
  });
});

describe('termCounts of a runaway abstract', () => {
  it('reads only the first 20,000 characters of a field', () => {
    const counts = termCounts({
      title: 'Long',
      abstract: Array.from({ length: 120_000 }, (_, i) => `word${i}`).join(' '),
    });
    expect(counts.has('word0')).toBe(true);
    expect(counts.has('word100000')).toBe(false);
    expect(counts.size).toBeLessThan(8000);
  });
});
