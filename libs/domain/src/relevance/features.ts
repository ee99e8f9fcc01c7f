import { authorKey } from '../papers/authors';
import { tokenize } from './tokenize';

/** What relevance reads of a paper. */
export interface PaperText {
  title: string;
  abstract: string;
  authors?: readonly string[];
  /** arXiv categories, e.g. "cs.CL". */
  categories?: readonly string[];
  /** Hugging Face keywords. */
  keywords?: readonly string[];
}

/** A sparse vector: parallel arrays of terms and weights (l2-normalised when it comes from a featurizer). */
export interface SparseVector {
  terms: readonly string[];
  weights: Float32Array;
}

/** Term → count in one paper: what is stored per paper, so idf can change without re-reading texts. */
export type TermCounts = ReadonlyMap<string, number>;

const AUTHOR_PREFIX = 'author:';
const CATEGORY_PREFIX = 'category:';
/** A title word counts as much as this many abstract words: the title says what the paper is about. */
const TITLE_WEIGHT = 2;
/** Text read per field: real abstracts are a few thousand characters; a runaway one adds nothing past this. */
const MAX_TEXT = 20_000;
/** Authors beyond this many (large collaborations) add no features. */
const MAX_AUTHORS = 20;

export function authorTerm(name: string): string | null {
  const key = authorKey(name);
  return key ? `${AUTHOR_PREFIX}${key.last}${key.initial ? ` ${key.initial}` : ''}` : null;
}

export function isAuthorTerm(term: string): boolean {
  return term.startsWith(AUTHOR_PREFIX);
}

export function isCategoryTerm(term: string): boolean {
  return term.startsWith(CATEGORY_PREFIX);
}

/** The term counts of a paper: title (weighted), abstract, keywords, author and category features. */
export function termCounts(paper: PaperText): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (term: string, count: number): void => {
    counts.set(term, (counts.get(term) ?? 0) + count);
  };
  for (const token of tokenize(paper.title.slice(0, MAX_TEXT))) {
    add(token.term, TITLE_WEIGHT);
  }
  for (const token of tokenize(paper.abstract.slice(0, MAX_TEXT))) {
    add(token.term, 1);
  }
  for (const keyword of paper.keywords ?? []) {
    for (const token of tokenize(keyword)) {
      add(token.term, 1);
    }
  }
  for (const name of (paper.authors ?? []).slice(0, MAX_AUTHORS)) {
    const term = authorTerm(name);
    if (term) {
      counts.set(term, 1);
    }
  }
  for (const category of paper.categories ?? []) {
    counts.set(`${CATEGORY_PREFIX}${category.toLowerCase()}`, 1);
  }
  return counts;
}

/**
 * How the paper's own text spells each of its terms ("kv cache" → "KV cache"), and author terms as the
 * author's name: for explanations only, so computed for the few papers a digest explains.
 */
export function surfaceForms(paper: PaperText): Map<string, string> {
  const forms = new Map<string, string>();
  for (const token of [...tokenize(paper.title.slice(0, MAX_TEXT)), ...tokenize(paper.abstract.slice(0, MAX_TEXT))]) {
    if (!forms.has(token.term)) {
      forms.set(token.term, token.surface);
    }
  }
  for (const name of paper.authors ?? []) {
    const term = authorTerm(name);
    if (term && !forms.has(term)) {
      forms.set(term, name);
    }
  }
  return forms;
}

/** Document frequencies over a corpus, kept incrementally (add a paper's terms once, when it is featurized). */
export class DocumentFrequencies {
  private readonly frequencies: Map<string, number>;

  constructor(
    public documents = 0,
    frequencies: Iterable<readonly [string, number]> = [],
  ) {
    this.frequencies = new Map(frequencies);
  }

  static of(corpus: Iterable<TermCounts>): DocumentFrequencies {
    const frequencies = new DocumentFrequencies();
    for (const counts of corpus) {
      frequencies.add(counts);
    }
    return frequencies;
  }

  add(counts: TermCounts): void {
    this.documents += 1;
    for (const term of counts.keys()) {
      this.frequencies.set(term, (this.frequencies.get(term) ?? 0) + 1);
    }
  }

  frequency(term: string): number {
    return this.frequencies.get(term) ?? 0;
  }

  /** Smoothed idf (as scikit-learn's): a term no document has yet weighs most, never infinitely. */
  idf(term: string): number {
    return Math.log((1 + this.documents) / (1 + this.frequency(term))) + 1;
  }
}

/**
 * Turns a paper into a feature vector. The tf-idf featurizer is the default; a dense one (embeddings)
 * can be added behind the same interface.
 */
export interface PaperFeaturizer {
  vectorize(counts: TermCounts): SparseVector;
}

/**
 * Sublinear tf (1 + ln tf) × idf, l2-normalised. Bigrams seen in only one document of the corpus are
 * dropped: they are mostly accidents of wording and would double the vocabulary.
 */
export class TfIdfFeaturizer implements PaperFeaturizer {
  constructor(private readonly frequencies: DocumentFrequencies) {}

  vectorize(counts: TermCounts): SparseVector {
    const terms: string[] = [];
    const values: number[] = [];
    let norm = 0;
    for (const [term, count] of counts) {
      if (term.includes(' ') && !isAuthorTerm(term) && this.frequencies.frequency(term) < 2) {
        continue;
      }
      const weight = (1 + Math.log(count)) * this.frequencies.idf(term);
      terms.push(term);
      values.push(weight);
      norm += weight * weight;
    }
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    return { terms, weights: Float32Array.from(values, (value) => value * scale) };
  }
}

/** The dot product of two sparse vectors (their cosine when both are l2-normalised). */
export function dot(a: SparseVector, b: SparseVector): number {
  const [small, large] = a.terms.length <= b.terms.length ? [a, b] : [b, a];
  const index = new Map<string, number>();
  large.terms.forEach((term, i) => index.set(term, large.weights[i]));
  let sum = 0;
  small.terms.forEach((term, i) => {
    const other = index.get(term);
    if (other !== undefined) {
      sum += small.weights[i] * other;
    }
  });
  return sum;
}

/**
 * A dense featurizer (embeddings): reads a paper's text rather than its term counts, and may call a service,
 * so it is asynchronous and works on batches. One vector per paper, in the papers' order. Optional and off
 * by default; its vectors would be combined with tf-idf's, never replace them.
 */
export interface DensePaperFeaturizer {
  embed(papers: readonly PaperText[]): Promise<Float32Array[]>;
}

/** Characters of a paper sent for embedding: title and abstract fit well within any model's input. */
const MAX_EMBEDDING_TEXT = 8_000;

/** The text a dense featurizer reads: title, then abstract, then keywords (authors and categories stay tf-idf's). */
export function embeddingText(paper: PaperText): string {
  const keywords = paper.keywords?.length ? `\nKeywords: ${paper.keywords.join(', ')}` : '';
  return `${paper.title.trim()}\n\n${paper.abstract.trim()}${keywords}`.slice(0, MAX_EMBEDDING_TEXT);
}
