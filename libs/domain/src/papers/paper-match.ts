import { authorsOverlap } from './authors';
import { PaperIdentifiers } from './identifiers';

/** A paper that shares a listing's title key, as far as matching needs to know it. */
export interface TitleMatchCandidate {
  arxivId: string | null;
  doi: string | null;
  authors: readonly string[];
}

/**
 * The one paper a listing clearly belongs to among those with its title key: its authors overlap
 * (≥ 50 % of the shorter list by last name) and it carries no identifier that contradicts the listing's
 * (another arXiv id, another DOI). Null when none or several qualify: merging two different papers is
 * worse than keeping a duplicate.
 */
export function pickTitleMatch<T extends TitleMatchCandidate>(
  candidates: readonly T[],
  listing: { identifiers: PaperIdentifiers; authors: readonly string[] },
): T | null {
  const { arxivId, doi } = listing.identifiers;
  const matches = candidates.filter(
    (paper) =>
      (arxivId === null || paper.arxivId === null || paper.arxivId === arxivId) &&
      (doi === null || paper.doi === null || paper.doi === doi) &&
      authorsOverlap(paper.authors, listing.authors),
  );
  return matches.length === 1 ? matches[0] : null;
}
