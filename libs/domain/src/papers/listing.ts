/**
 * One paper as a source listed it, before it becomes (part of) a canonical paper.
 * Every source parser produces this shape; the classifier consumes it.
 */
export interface ParsedListing {
  /** The source's own id for the item, unique within the source (e.g. the arXiv id for Hugging Face). */
  externalId: string;
  /** arXiv id without version, when the item has one. */
  arxivId: string | null;
  arxivVersion: number | null;
  /** DOI, normalised (lower case, no resolver prefix), when the item has one. */
  doi: string | null;
  /** arXiv announcement type: new, cross, replace, replace-cross (feeds only). */
  announceType: string | null;
  title: string;
  abstract: string;
  authors: string[];
  /** When the source listed the item (Hugging Face: when it was put on Daily Papers). */
  listedAt: Date;
  /** When the paper itself was published (arXiv date), if known. */
  publishedAt: Date | null;
  upvotes: number | null;
  comments: number | null;
  keywords: string[];
  categories: string[];
  summary: string | null;
  url: string | null;
  codeUrl: string | null;
  projectUrl: string | null;
}

/** Whitespace that collapsing would change: a character other than a space, or two in a row. */
const UNTIDY_WHITESPACE = /[^\S ]|\s\s/;

/** A collapsed run of whitespace (titles arrive hard-wrapped, e.g. "Scaling for\n  Contrastive Loss"). */
export function cleanText(text: string): string {
  // Most texts have single spaces only: testing is cheaper than rebuilding them unchanged.
  return (UNTIDY_WHITESPACE.test(text) ? text.replace(/\s+/g, ' ') : text).trim();
}
