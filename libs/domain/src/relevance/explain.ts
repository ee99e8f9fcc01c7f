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
 * A model's weights by the term ids of a CandidateIndex (termIdsOf): `byTerm[id]` is the weight of the
 * index's term `id`, 0 for terms the model does not weigh. Explaining a digest's picks then reads an array
 * per term instead of looking each term up.
 */
export interface IndexedWeights {
  byTerm: ArrayLike<number>;
}

/**
 * explainPick for the picks of one digest: the model's weights are indexed once, not once per pick, and
 * the liked papers' vectors only if a pick comes without its similarities to them. With `indexed`, picks
 * that come with their term ids (`termIds`) are explained from it without a lookup per term.
 */
export class PickExplainer {
  private weightsByName: Map<string, number> | null = null;
  private likedIndex: Map<string, number>[] | null = null;

  constructor(
    private readonly model: Pick<RelevanceModel, 'terms' | 'weights'> | null,
    private readonly liked: readonly LikedPaper[],
    private readonly followedAuthors: readonly string[] = [],
    private readonly indexed: IndexedWeights | null = null,
  ) {}

  /**
   * `similarities[i]`, when given, is the paper's cosine to `liked[i]` (a digest run can compute them for
   * every candidate at once).
   */
  explain(
    paper: { vector: SparseVector; authors?: readonly string[]; termIds?: ArrayLike<number> },
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
      matches: this.model
        ? this.indexed && paper.termIds
          ? topMatches(paper.vector, surface, this.indexed.byTerm, paper.termIds)
          : topMatches(paper.vector, surface, this.weightsByTerm(), null)
        : [],
      followedAuthor: followed(paper.authors ?? [], this.followedAuthors),
    };
  }

  private weightsByTerm(): Map<string, number> {
    if (!this.weightsByName) {
      const { model } = this;
      this.weightsByName = new Map(model?.terms.map((term, i) => [term, model.weights[i]]));
    }
    return this.weightsByName;
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

/**
 * Up to three of the paper's terms with the largest positive weight × feature, spelled as the paper does.
 * The weights are by term (a map), or by the term ids `termIds` gives the paper's terms (an array).
 */
function topMatches(
  vector: SparseVector,
  surface: ReadonlyMap<string, string>,
  weights: ReadonlyMap<string, number> | ArrayLike<number>,
  termIds: ArrayLike<number> | null,
): string[] {
  // Only the terms the model weighs for the paper are collected: most of its terms have no weight.
  const contributions: { term: string; value: number }[] = [];
  const { terms } = vector;
  const byName = termIds === null ? (weights as ReadonlyMap<string, number>) : null;
  const byId = weights as ArrayLike<number>;
  for (let k = 0; k < terms.length; k++) {
    const weight = byName === null ? byId[termIds![k]] : (byName.get(terms[k]) ?? 0);
    if (weight > 0) {
      const term = terms[k];
      if (!isCategoryTerm(term) && !isAuthorTerm(term) && surface.has(term)) {
        contributions.push({ term, value: weight * vector.weights[k] });
      }
    }
  }
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
