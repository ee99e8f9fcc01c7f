import { isAuthorTerm, isCategoryTerm, type TermCounts } from './features';
import type { RelevanceModel } from './model';

/** A paper the subscriber voted on, with its stored term counts. */
export interface VotedPaper {
  paperId: string;
  vote: 'up' | 'down';
  counts: TermCounts;
}

/** A term of the model as the profile page shows it, with the votes that taught it. */
export interface ProfileTerm {
  term: string;
  /** How a reader knows it: as their papers spell it, an author's name, or "arXiv cs.CL". */
  label: string;
  weight: number;
  /** The voted papers behind it: liked papers with the term for a term "for", disliked ones "against". */
  paperIds: string[];
}

/**
 * The terms of a model that weigh most for and against, each with the votes behind it, so a subscriber can
 * take a term out by taking those votes back. A term no vote of theirs stands behind (one the model learned
 * from papers they were never shown, or whose votes were just removed and the model not trained again yet)
 * is left out: there is nothing of theirs to remove.
 */
export function profileTerms(
  model: RelevanceModel,
  papers: readonly VotedPaper[],
  forms: ReadonlyMap<string, string>,
  limit: number,
): { liked: ProfileTerm[]; disliked: ProfileTerm[] } {
  const pick = (sign: 1 | -1): ProfileTerm[] => {
    const vote = sign > 0 ? 'up' : 'down';
    const terms: ProfileTerm[] = [];
    model.terms
      .map((term, index) => ({ term, weight: model.weights[index] }))
      .filter(({ weight }) => weight * sign > 0)
      .sort((a, b) => (b.weight - a.weight) * sign || a.term.localeCompare(b.term))
      .forEach(({ term, weight }) => {
        if (terms.length >= limit) {
          return;
        }
        const paperIds = papers.filter((paper) => paper.vote === vote && paper.counts.has(term)).map((p) => p.paperId);
        if (paperIds.length > 0) {
          terms.push({ term, label: termLabel(term, forms), weight, paperIds });
        }
      });
    return terms;
  };
  return { liked: pick(1), disliked: pick(-1) };
}

/** A term as a reader would write it. */
export function termLabel(term: string, forms: ReadonlyMap<string, string>): string {
  const form = forms.get(term);
  if (form) {
    return form;
  }
  if (isCategoryTerm(term)) {
    const category = term.slice(term.indexOf(':') + 1);
    const dot = category.indexOf('.');
    return `arXiv ${dot < 0 ? category : `${category.slice(0, dot)}.${category.slice(dot + 1).toUpperCase()}`}`;
  }
  if (isAuthorTerm(term)) {
    return term.slice(term.indexOf(':') + 1);
  }
  return term;
}
