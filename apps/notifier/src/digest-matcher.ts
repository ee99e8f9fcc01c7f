import { Injectable, Optional } from '@nestjs/common';
import { DigestRepository, DigestSelection, PaperNote, RelevanceRepository, SubscriptionEntity } from '@libs/database';
import {
  addDenseSimilarity,
  addInterestBoost,
  CandidateIndex,
  CandidatePaper,
  denseSimilarities,
  type DigestPick,
  explanationText,
  keywordKey,
  type LikedPaper,
  markCandidates,
  type RelevanceModel,
  surfaceForms,
  PickExplainer,
  pickForYou,
  rankCandidates,
  type ScoredCandidate,
  type SparseVector,
  TfIdfFeaturizer,
} from '@libs/domain';
import { DenseRanking } from './dense-ranking';

/** A loaded value shared by every digest built within its lifetime; a failed load is not kept. */
interface Entry<T> {
  value: Promise<T>;
  expires: number;
}

/** A window's candidates as every for-you digest of it scores them: vectorized and indexed once. */
interface RelevanceWindow {
  /** The candidates it was built from, in index order. */
  candidates: CandidatePaper[];
  index: CandidateIndex;
  upvotes: Int32Array;
  buffer: Float32Array<ArrayBuffer>;
  /** A model's weights by the index's term ids, filled and cleared by one digest's explanations at a time. */
  weightsByTerm: Float32Array<ArrayBuffer>;
  featurizer: TfIdfFeaturizer;
  /** Each candidate's tf-idf vector, in candidate order (what explanations compare). */
  vectors: SparseVector[];
  position: Map<string, number>;
  /** Liked papers' vectors made so far (by paper id), for "Similar to …". */
  liked: Map<string, SparseVector>;
  /** Each of those liked papers' cosine to every candidate, in candidate order. */
  likedSimilarities: Map<string, Float32Array>;
  /** The candidates' authors and spelled-out terms read so far (by paper id), for explanations. */
  texts: Map<string, { authors: readonly string[]; surface: ReadonlyMap<string, string> }>;
}

/** A digest's papers, best first (not yet capped); for-you digests say of each pick why it is there. */
export interface RankedPapers {
  paperIds: string[];
  notes: ReadonlyMap<string, PaperNote>;
}

const TTL_MS = 10_000;
/** How long a window's relevance index is kept while its papers stay the same: its idf is read anew after. */
const RELEVANCE_TTL_MS = 600_000;
/** Liked papers a "Similar to …" sentence may name: the latest ones. */
const LIKED_NAMED = 200;
const MAX_WINDOWS = 16;
/** Liked papers whose vectors and cosines a window keeps (a few kB each). */
const MAX_LIKED_KEPT = 2_000;
const MAX_KEYWORD_LISTS = 2_000;

/**
 * Chooses a digest's candidate papers in memory. A fan-out builds thousands of digests over the same
 * window (every digest of one tick is planned for the same instant): the window's papers are read once,
 * and each distinct keyword list is searched once, instead of one full-text query per subscription.
 * Entries live ten seconds, so a paper that becomes ready during a fan-out can miss the digests built in
 * those seconds, as it could miss the ones built just before it; it is not lost, the next digest within
 * its lookback has it. What each digest holds is then fixed by the ledger.
 */
@Injectable()
export class DigestMatcher {
  private readonly windows = new Map<string, Entry<CandidatePaper[]>>();
  private readonly keywords = new Map<string, Entry<Map<string, number>>>();
  private readonly relevance = new Map<string, Entry<RelevanceWindow>>();

  constructor(
    private readonly digests: DigestRepository,
    private readonly relevanceRepository: RelevanceRepository,
    // The optional embeddings term (off unless EMBEDDINGS_URL is set): one extra read a digest when on.
    @Optional() private readonly dense?: DenseRanking,
  ) {}

  /**
   * Every paper of the window the subscription's digest may hold, best first (not yet capped). The
   * filters are the same in every mode; `for-you` (chosen, or automatic once the subscriber has a model)
   * orders by the subscriber's model with up to two explore slots, `newest` by listing time, `upvotes`
   * as before. A for-you subscription without a model yet ranks by upvotes.
   */
  async rank(subscription: SubscriptionEntity, window: DigestSelection): Promise<RankedPapers> {
    const windowKey = `${window.listedAfter.getTime()}:${window.listedUntil.getTime()}`;
    const wantsModel =
      subscription.ranking === 'for-you' || subscription.ranking === null || subscription.ranking === undefined;
    const candidates = await this.candidates(window, windowKey);
    const keywordRanks = await this.keywordRanks(subscription, window, windowKey);
    if (subscription.ranking === 'newest') {
      const listed = new Map(candidates.map((paper) => [paper.id, paper.listedAtMicros]));
      const newest = rankCandidates(candidates, subscription, keywordRanks).sort(
        (a, b) => (listed.get(b) ?? 0) - (listed.get(a) ?? 0) || (a < b ? -1 : a > b ? 1 : 0),
      );
      return { paperIds: newest, notes: new Map() };
    }
    // What the filters let through, marked in the window's order (no ranking: the model orders them).
    const eligible = wantsModel ? markCandidates(candidates, subscription, keywordRanks) : null;
    // With the model come the liked papers and which of the eligible papers the subscription already
    // received (explore slots are never spent on those): one read, probing the ledger for those only.
    const profile = eligible?.includes(1)
      ? await this.relevanceRepository.forYouInputs(
          subscription.id,
          LIKED_NAMED,
          candidates.filter((_, at) => eligible[at] === 1).map((paper) => paper.id),
        )
      : null;
    const model = profile?.model;
    if (!model || !eligible) {
      return { paperIds: rankCandidates(candidates, subscription, keywordRanks), notes: new Map() };
    }
    const relevance = await this.relevanceOf(windowKey, candidates);
    // Less the papers already delivered (the ledger's to skip, but explore slots must not go to them).
    for (const id of profile.delivered) {
      const at = relevance.position.get(id);
      if (at !== undefined) {
        eligible[at] = 0;
      }
    }
    if (!eligible.includes(1)) {
      return { paperIds: [], notes: new Map() };
    }
    const dense = this.dense?.enabled ? await this.dense.inputs(subscription.id, windowKey, relevance.index.ids) : null;
    // Scored into the window's one buffer: nothing awaits between scoring and picking.
    const modelTermIds = relevance.index.termIdsOf(model.terms);
    const scores = addInterestBoost(
      relevance.index.score(model, subscription.followedAuthors ?? [], relevance.buffer, modelTermIds),
      relevance.candidates,
      subscription,
      keywordRanks,
      eligible,
    );
    if (dense) {
      addDenseSimilarity(scores, dense.window, denseSimilarities(dense.window, dense.voted), eligible, dense.weight);
    }
    const picks = pickForYou(
      { ids: relevance.index.ids, upvotes: relevance.upvotes },
      scores,
      subscription.maxPapers,
      eligible,
    );
    const picked = new Set(picks.map((pick) => pick.id));
    // The rest, in the model's order, are what the digest leaves out ("and N more").
    const rest: number[] = [];
    eligible.forEach((yes, at) => {
      if (yes && !picked.has(relevance.index.ids[at])) {
        rest.push(at);
      }
    });
    rest.sort((a, b) => scores[b] - scores[a] || relevance.upvotes[b] - relevance.upvotes[a] || a - b);
    return {
      paperIds: [...picks.map((pick) => pick.id), ...rest.map((at) => relevance.index.ids[at])],
      notes: await this.explain(subscription, { ...model, termIds: modelTermIds }, profile.liked, picks, relevance),
    };
  }

  /** The plain-words sentence of each pick: the liked paper it is most like, its words the model weighs most. */
  private async explain(
    subscription: SubscriptionEntity,
    model: RelevanceModel & { termIds: Int32Array },
    likedTitles: { id: string; title: string }[],
    picks: DigestPick[],
    relevance: RelevanceWindow,
  ): Promise<Map<string, PaperNote>> {
    const [{ papers: liked, similarities }, texts] = await Promise.all([
      this.likedPapers(likedTitles, relevance),
      this.pickTexts(picks, relevance),
    ]);
    // From here on nothing awaits: the window's one array holds this model's weights until cleared.
    const byTerm = relevance.weightsByTerm;
    model.termIds.forEach((id, i) => id >= 0 && (byTerm[id] = model.weights[i]));
    try {
      const explainer = new PickExplainer(model, liked, subscription.followedAuthors ?? [], { byTerm });
      const notes = new Map<string, PaperNote>();
      for (const pick of picks) {
        const text = texts.get(pick.id);
        const at = relevance.position.get(pick.id);
        const explanation =
          text && at !== undefined
            ? explainer.explain(
                { vector: relevance.vectors[at], authors: text.authors, termIds: relevance.index.candidateTerms[at] },
                text.surface,
                pick.policy,
                similarities.map((toCandidates) => toCandidates[at]),
              )
            : null;
        const why = explanation ? explanationText(explanation) : null;
        notes.set(pick.id, { explore: pick.policy === 'explore', why: why || null });
      }
      return notes;
    } finally {
      model.termIds.forEach((id) => id >= 0 && (byTerm[id] = 0));
    }
  }

  /**
   * The subscriber's latest liked papers (read with the model) with their vectors, and each one's cosine to every candidate
   * (`likedSimilarities`). Many subscribers like the same papers: each one's vector and cosines are
   * computed once per window, from term counts read once.
   */
  private async likedPapers(
    liked: { id: string; title: string }[],
    relevance: RelevanceWindow,
  ): Promise<{ papers: LikedPaper[]; similarities: Float32Array[] }> {
    // Taken now: another digest may clear the window's maps while this one awaits.
    const kept = new Map<string, { vector: SparseVector; similarities: Float32Array }>();
    for (const paper of liked) {
      const vector = relevance.liked.get(paper.id);
      const similarities = relevance.likedSimilarities.get(paper.id);
      if (vector && similarities) {
        kept.set(paper.id, { vector, similarities });
      }
    }
    const missing = [...new Set(liked.map((paper) => paper.id).filter((id) => !kept.has(id)))];
    if (missing.length > 0) {
      const counts = await this.relevanceRepository.features(missing);
      // The window now lives minutes, not seconds: thousands of subscribers' own liked papers would
      // pile up (a vector and a cosine per candidate each), so past a bound they are made afresh.
      if (relevance.liked.size + missing.length > MAX_LIKED_KEPT) {
        relevance.liked.clear();
        relevance.likedSimilarities.clear();
      }
      for (const id of missing) {
        const paperCounts = counts.get(id);
        const at = relevance.position.get(id);
        const vector =
          at !== undefined
            ? relevance.vectors[at]
            : paperCounts
              ? relevance.featurizer.vectorize(paperCounts)
              : { terms: [], weights: new Float32Array(0) };
        const similarities = relevance.index.score(vector, [], new Float32Array(relevance.index.size));
        relevance.liked.set(id, vector);
        relevance.likedSimilarities.set(id, similarities);
        kept.set(id, { vector, similarities });
      }
    }
    return {
      papers: liked.map((paper) => ({ ...paper, vector: kept.get(paper.id)!.vector })),
      similarities: liked.map((paper) => kept.get(paper.id)!.similarities),
    };
  }

  /** The picks' authors and spelled-out terms, read and tokenized once per window and paper. */
  private async pickTexts(
    picks: DigestPick[],
    relevance: RelevanceWindow,
  ): Promise<Map<string, { authors: readonly string[]; surface: ReadonlyMap<string, string> }>> {
    const missing = picks.map((pick) => pick.id).filter((id) => !relevance.texts.has(id));
    if (missing.length > 0) {
      for (const paper of await this.relevanceRepository.texts(missing)) {
        relevance.texts.set(paper.id, { authors: paper.authors ?? [], surface: surfaceForms(paper) });
      }
    }
    const texts = new Map<string, { authors: readonly string[]; surface: ReadonlyMap<string, string> }>();
    for (const pick of picks) {
      const text = relevance.texts.get(pick.id);
      if (text) {
        texts.set(pick.id, text);
      }
    }
    return texts;
  }

  /** The full-text rank of each paper of the window matching the subscription's keywords; null without keywords. */
  private keywordRanks(
    subscription: SubscriptionEntity,
    window: DigestSelection,
    windowKey: string,
  ): Promise<ReadonlyMap<string, number> | null> {
    return subscription.keywords.length > 0
      ? this.cached(this.keywords, `${windowKey}:${keywordKey(subscription.keywords)}`, MAX_KEYWORD_LISTS, () =>
          this.digests.keywordRanks(window, subscription.keywords),
        )
      : Promise.resolve(null);
  }

  private candidates(window: DigestSelection, windowKey: string): Promise<CandidatePaper[]> {
    return this.cached(this.windows, windowKey, MAX_WINDOWS, () => this.digests.candidatesIn(window));
  }

  /**
   * The window's candidates vectorized and indexed, with what explanations have computed on them. The
   * candidates are read again every ten seconds (upvotes change, papers become ready), but while they are
   * the same papers in the same order the index and all that hangs on it stay (taking the fresh upvotes),
   * up to RELEVANCE_TTL_MS, after which the document frequencies are read afresh. A slow fan-out would
   * otherwise vectorize, tokenize and compare the same papers again every ten seconds.
   */
  private async relevanceOf(windowKey: string, candidates: CandidatePaper[]): Promise<RelevanceWindow> {
    const entry = this.relevance.get(windowKey);
    if (entry && entry.expires > Date.now()) {
      const kept = await entry.value.catch(() => null);
      if (kept?.candidates === candidates) {
        return kept;
      }
      if (kept && sameIds(kept.candidates, candidates)) {
        const refreshed = { ...kept, candidates, upvotes: Int32Array.from(candidates, (paper) => paper.upvotes) };
        if (this.relevance.get(windowKey) === entry) {
          entry.value = Promise.resolve(refreshed);
        }
        return refreshed;
      }
      if (this.relevance.get(windowKey) === entry) {
        this.relevance.delete(windowKey);
      }
    }
    return this.cached(this.relevance, windowKey, MAX_WINDOWS, () => this.indexWindow(candidates), RELEVANCE_TTL_MS);
  }

  /** Reads the candidates' term counts and their terms' frequencies once, and indexes the window. */
  private async indexWindow(candidates: CandidatePaper[]): Promise<RelevanceWindow> {
    const features = await this.relevanceRepository.features(candidates.map((paper) => paper.id));
    const terms = new Set<string>();
    for (const counts of features.values()) {
      for (const term of counts.keys()) {
        terms.add(term);
      }
    }
    const featurizer = new TfIdfFeaturizer(await this.relevanceRepository.frequencies([...terms]));
    const scored: ScoredCandidate[] = candidates.map((paper) => {
      const counts = features.get(paper.id);
      return {
        id: paper.id,
        vector: counts ? featurizer.vectorize(counts) : { terms: [], weights: new Float32Array(0) },
      };
    });
    const index = new CandidateIndex(scored);
    return {
      candidates,
      index,
      weightsByTerm: new Float32Array(index.terms.length),
      vectors: scored.map((candidate) => candidate.vector),
      upvotes: Int32Array.from(candidates, (paper) => paper.upvotes),
      buffer: new Float32Array(candidates.length),
      featurizer,
      position: new Map(candidates.map((paper, at) => [paper.id, at])),
      liked: new Map(),
      likedSimilarities: new Map(),
      texts: new Map(),
    };
  }

  /** Forgets every window and keyword search read so far: the next digests read the papers afresh. */
  clear(): void {
    this.windows.clear();
    this.keywords.clear();
    this.relevance.clear();
    this.dense?.clear();
  }

  private cached<T>(
    entries: Map<string, Entry<T>>,
    key: string,
    max: number,
    load: () => Promise<T>,
    ttlMs = TTL_MS,
  ): Promise<T> {
    const now = Date.now();
    const entry = entries.get(key);
    if (entry && entry.expires > now) {
      return entry.value;
    }
    entries.delete(key);
    while (entries.size >= max) {
      entries.delete(entries.keys().next().value as string);
    }
    const value = load();
    entries.set(key, { value, expires: now + ttlMs });
    value.catch(() => {
      if (entries.get(key)?.value === value) {
        entries.delete(key);
      }
    });
    return value;
  }
}

/** The same papers in the same order. */
function sameIds(a: readonly CandidatePaper[], b: readonly CandidatePaper[]): boolean {
  return a.length === b.length && a.every((paper, at) => paper.id === b[at].id);
}
