import { authorTerm, isAuthorTerm, isCategoryTerm, type SparseVector } from './features';
import type { RelevanceModel } from './model';
import type { PickPolicy } from './selection';

/** A paper the subscriber liked, as explanations name it. */
export interface LikedPaper {
  id: string;
  title: string;
  vector: SparseVector;
}

export interface Explanation {
  policy: PickPolicy;
  /** The liked paper closest to this one, when close enough to say so. */
  similarTo: { id: string; title: string } | null;
  /** Up to three words or phrases of the paper that weigh most for it in the subscriber's model. */
  matches: string[];
  /** A followed author of the paper. */
  followedAuthor: string | null;
}

/** Below this cosine a liked paper is not "similar" in a way a reader would recognise. */
export const SIMILAR_TO_MIN = 0.15;
const MAX_MATCHES = 3;

/**
 * Why a paper is in a subscriber's digest, in terms a reader understands: the liked paper it is most
 * like, the words of it the model weighs most, a followed author. `surface` spells the paper's terms as
 * its text does (features.surfaceForms).
 */
export function explainPick(
  paper: { vector: SparseVector; authors?: readonly string[] },
  surface: ReadonlyMap<string, string>,
  model: Pick<RelevanceModel, 'terms' | 'weights'> | null,
  liked: readonly LikedPaper[],
  options: { policy?: PickPolicy; followedAuthors?: readonly string[] } = {},
): Explanation {
  return new PickExplainer(model, liked, options.followedAuthors).explain(paper, surface, options.policy);
}

/**
 * explainPick for the picks of one digest: the model's weights are indexed once, not once per pick, and
 * the liked papers' vectors only if a pick comes without its similarities to them.
 */
export class PickExplainer {
  private readonly weights = new Map<string, number>();
  private likedIndex: Map<string, number>[] | null = null;

  constructor(
    private readonly model: Pick<RelevanceModel, 'terms' | 'weights'> | null,
    private readonly liked: readonly LikedPaper[],
    private readonly followedAuthors: readonly string[] = [],
  ) {
    model?.terms.forEach((term, i) => this.weights.set(term, model.weights[i]));
  }

  /**
   * `similarities[i]`, when given, is the paper's cosine to `liked[i]` (a digest run can compute them for
   * every candidate at once).
   */
  explain(
    paper: { vector: SparseVector; authors?: readonly string[] },
    surface: ReadonlyMap<string, string>,
    policy: PickPolicy = 'model',
    similarities?: ArrayLike<number>,
  ): Explanation {
    let similarTo: Explanation['similarTo'] = null;
    let best = SIMILAR_TO_MIN;
    this.liked.forEach((candidate, i) => {
      const similarity = similarities ? similarities[i] : this.similarity(paper.vector, i);
      if (similarity >= best) {
        best = similarity;
        similarTo = { id: candidate.id, title: candidate.title };
      }
    });
    return {
      policy,
      similarTo,
      matches: this.model ? topMatches(paper.vector, surface, this.weights) : [],
      followedAuthor: followed(paper.authors ?? [], this.followedAuthors),
    };
  }

  private similarity(vector: SparseVector, likedAt: number): number {
    this.likedIndex ??= this.liked.map(
      (paper) => new Map(paper.vector.terms.map((term, i) => [term, paper.vector.weights[i]])),
    );
    const index = this.likedIndex[likedAt];
    let sum = 0;
    vector.terms.forEach((term, i) => {
      sum += (index.get(term) ?? 0) * vector.weights[i];
    });
    return sum;
  }
}

/** Up to three of the paper's terms with the largest positive weight × feature, spelled as the paper does. */
function topMatches(
  vector: SparseVector,
  surface: ReadonlyMap<string, string>,
  weights: ReadonlyMap<string, number>,
): string[] {
  // Only the terms the model weighs for the paper are collected: most of its terms have no weight.
  const contributions: { term: string; value: number }[] = [];
  vector.terms.forEach((term, i) => {
    const weight = weights.get(term);
    if (weight !== undefined && weight > 0 && !isCategoryTerm(term) && !isAuthorTerm(term) && surface.has(term)) {
      contributions.push({ term, value: weight * vector.weights[i] });
    }
  });
  contributions.sort((a, b) => b.value - a.value || (a.term < b.term ? -1 : 1));
  const taken: string[] = [];
  const words = new Set<string>();
  for (const { term } of contributions) {
    const parts = term.split(' ');
    // "KV cache" says what "cache" would: one phrase per idea.
    if (parts.some((part) => words.has(part))) {
      continue;
    }
    parts.forEach((part) => words.add(part));
    taken.push(surface.get(term) as string);
    if (taken.length === MAX_MATCHES) {
      break;
    }
  }
  return taken;
}

function followed(authors: readonly string[], followedAuthors: readonly string[]): string | null {
  if (followedAuthors.length === 0) {
    return null;
  }
  // Surname and initial, as the merge matches authors: "J. Doe" follows "Jane Doe".
  const wanted = new Set(followedAuthors.map(authorTerm).filter((term) => term !== null));
  return authors.find((name) => wanted.has(authorTerm(name) ?? '')) ?? null;
}

/**
 * The sentence a reader sees: "By Jane Doe, whom you follow. Similar to “Mesa: …”, which you liked.
 * Matches what you like: KV cache, quantization." Explore slots say so instead.
 */
export function explanationText(explanation: Explanation): string {
  if (explanation.policy === 'explore') {
    return 'Popular this period and outside your usual picks: your vote on it helps tune your digest.';
  }
  const sentences: string[] = [];
  if (explanation.followedAuthor) {
    sentences.push(`By ${explanation.followedAuthor}, whom you follow.`);
  }
  if (explanation.similarTo) {
    sentences.push(`Similar to “${explanation.similarTo.title}”, which you liked.`);
  }
  if (explanation.matches.length > 0) {
    sentences.push(`Matches what you like: ${explanation.matches.join(', ')}.`);
  }
  return sentences.join(' ');
}
