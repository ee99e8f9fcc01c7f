import { cleanText } from './listing';
import { hasLeadingTag } from './title-key';

/** What a paper record holds besides its identifiers, as one listing or the merged paper has it. */
export interface PaperMetadata {
  title: string;
  abstract: string;
  authors: string[];
  upvotes: number;
  keywords: string[];
  categories: string[];
  summary: string | null;
  url: string | null;
  codeUrl: string | null;
  projectUrl: string | null;
  /** arXiv version; null when the source did not say. */
  version: number | null;
  /** When a source first listed the paper (the digest window is measured against it). */
  listedAt: Date;
  publishedAt: Date | null;
}

const TRUNCATED = /(?:\.\.\.|…)\s*$/;
const LATEX = /\$|\\[A-Za-z]/;
/** arXiv caps abstracts at 1,920 characters and journals seldom go past 5,000: longer is a page, not an abstract. */
const MAX_PLAUSIBLE_ABSTRACT = 6000;

/** A paper record from its first listing: text cleaned of hard wraps, lists de-duplicated. */
export function newPaperMetadata(listing: PaperMetadata): PaperMetadata {
  return {
    ...listing,
    title: cleanText(listing.title),
    abstract: cleanText(listing.abstract),
    authors: cleanList(listing.authors),
    upvotes: Math.max(0, listing.upvotes),
    keywords: cleanList(listing.keywords),
    categories: cleanList(listing.categories),
    summary: cleanOrNull(listing.summary),
    url: cleanOrNull(listing.url),
    codeUrl: cleanOrNull(listing.codeUrl),
    projectUrl: cleanOrNull(listing.projectUrl),
  };
}

/**
 * Folds one more listing (or a duplicate paper record) into a paper. The result does not depend on which
 * worker got there first, except where both sides are equally good (then the paper keeps what it has):
 * - title: the one with fewer defects (hard wraps, a "[PREPRINT]" tag, an ellipsis, ALL CAPS, LaTeX markup);
 * - abstract: the longer, unless it is cut off ("…") or too long to be one and the paper's is neither;
 * - authors: the longer list, then the fuller names ("Alice Smith" over "A. Smith");
 * - a newer arXiv version brings its own title, abstract and authors (a revision may shorten them); an older
 *   one arriving late, or a listing that does not say its version while the paper knows its own, only fills
 *   what the paper lacks (Hugging Face keeps showing the text it first listed);
 * - categories: union; upvotes: the highest; keywords, summary, code and project links: the listing's when it
 *   has them (Hugging Face adds and revises them after the first listing), else the paper's; url: the paper's;
 * - version: the highest; first listed and published: the earliest.
 */
export function mergePaperMetadata(current: PaperMetadata, incoming: PaperMetadata): PaperMetadata {
  const next = newPaperMetadata(incoming);
  // A paper listed without a version (Hugging Face) holds an unknown version: a v2 or later revises it.
  const revised =
    next.version !== null && (current.version === null ? next.version > 1 : next.version > current.version);
  const stale = current.version !== null && (next.version === null || next.version < current.version);
  return {
    title:
      stale && current.title !== '' ? current.title : betterTitle(current.title, incoming.title, next.title, revised),
    abstract:
      (revised && next.abstract !== '') ||
      (!stale && betterAbstract(next.abstract, current.abstract)) ||
      current.abstract === ''
        ? next.abstract
        : current.abstract,
    authors:
      (revised && next.authors.length > 0) ||
      (!stale && fullerAuthors(next.authors, current.authors)) ||
      current.authors.length === 0
        ? next.authors
        : current.authors,
    upvotes: Math.max(current.upvotes, next.upvotes),
    keywords: next.keywords.length > 0 ? next.keywords : current.keywords,
    categories: cleanList([...current.categories, ...next.categories]),
    summary: next.summary ?? current.summary,
    url: current.url ?? next.url,
    codeUrl: next.codeUrl ?? current.codeUrl,
    projectUrl: next.projectUrl ?? current.projectUrl,
    version: maxOrNull(current.version, next.version),
    listedAt: current.listedAt.getTime() <= next.listedAt.getTime() ? current.listedAt : next.listedAt,
    publishedAt: earliest(current.publishedAt, next.publishedAt),
  };
}

/** How much is wrong with a title as a source wrote it; 0 for a clean one. */
export function titleDefects(raw: string): number {
  const clean = cleanText(raw);
  if (clean === '') {
    return 100;
  }
  const letters = clean.replace(/[^\p{L}]/gu, '');
  return (
    (/\n|\s{2,}/.test(raw.trim()) ? 1 : 0) +
    (hasLeadingTag(clean) ? 2 : 0) +
    (TRUNCATED.test(clean) ? 2 : 0) +
    (letters.length >= 8 && letters === letters.toUpperCase() && letters !== letters.toLowerCase() ? 1 : 0) +
    (LATEX.test(clean) ? 1 : 0)
  );
}

function betterTitle(current: string, incomingRaw: string, incoming: string, revised: boolean): string {
  const incomingDefects = titleDefects(incomingRaw);
  const currentDefects = titleDefects(current);
  return incomingDefects < currentDefects || (revised && incomingDefects <= currentDefects) ? incoming : current;
}

/**
 * Longer is better, unless the longer text is cut off or too long to be an abstract (a page a feed put in its
 * description) while the other is neither.
 */
function betterAbstract(candidate: string, current: string): boolean {
  const flawed = (text: string): boolean => TRUNCATED.test(text) || text.length > MAX_PLAUSIBLE_ABSTRACT;
  if (flawed(candidate) !== flawed(current)) {
    return flawed(current);
  }
  return candidate.length > current.length;
}

/** More names, or as many but written out in full. */
function fullerAuthors(candidate: string[], current: string[]): boolean {
  if (candidate.length !== current.length) {
    return candidate.length > current.length;
  }
  const length = (names: string[]): number => names.reduce((sum, name) => sum + name.length, 0);
  return length(candidate) > length(current);
}

function cleanList(values: readonly string[]): string[] {
  return [...new Set(values.map(cleanText).filter((value) => value !== ''))];
}

function cleanOrNull(value: string | null): string | null {
  const clean = value === null ? '' : cleanText(value);
  return clean === '' ? null : clean;
}

function maxOrNull(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}

function earliest(a: Date | null, b: Date | null): Date | null {
  return a === null ? b : b === null ? a : a.getTime() <= b.getTime() ? a : b;
}
