import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  CandidateIndex,
  classifyTopics,
  DocumentFrequencies,
  modelSize,
  ndcgAt,
  pickForYou,
  rankByScore,
  rankCandidates,
  rocAuc,
  termCounts,
  TfIdfFeaturizer,
  trainRelevanceModel,
  type CandidatePaper,
  type RelevanceModel,
  type SparseVector,
  type TrainingOptions,
} from '../libs/domain/src';
import { argument } from './bench-support';

/**
 * Ranking quality and speed (issue 14). Quality: 13 pseudo-users labelled by reading
 * (test/fixtures/ranking/users.json) over 236 papers on a 14-day timeline (papers.json). Votes come from
 * days 1-7, the ranking is of days 8-14: nDCG@10 and ROC-AUC per user, averaged, for the baselines
 * (upvotes, topic match by the real topic rules, keyword match) and the learned ranker after 3, 5, 8 and
 * 10 votes and from 5 seeds. Speed: training per subscriber and scoring subscribers × candidates, each
 * with a baseline timed in the same run. Prints figures only.
 *
 *   node -r @swc-node/register bench/ranking.ts [--subscribers 100000] [--candidates 1000]
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

const SUBSCRIBERS = Number(argument('--subscribers') ?? 100_000);
const CANDIDATES = Number(argument('--candidates') ?? 1000);
const fixtures = join(repositoryRoot(__dirname), 'test/fixtures/ranking');
const root = readFixture<{ trainDays: [number, number]; papers: FixturePaper[] }>('papers.json');
const users = readFixture<PseudoUser[]>('users.json');
const papers = root.papers;
const byId = new Map(papers.map((paper) => [paper.id, paper]));
const counts = new Map(papers.map((paper) => [paper.id, termCounts(paper)]));
const featurizer = new TfIdfFeaturizer(DocumentFrequencies.of(counts.values()));
const vectors = new Map(papers.map((paper) => [paper.id, featurizer.vectorize(counts.get(paper.id)!)]));
const train = papers.filter((paper) => paper.day <= root.trainDays[1]);
const test = papers.filter((paper) => paper.day > root.trainDays[1]);

function main(): void {
  console.log(
    `Corpus: ${papers.length} papers (${train.length} on days 1-7, ${test.length} on days 8-14), ${users.length} pseudo-users`,
  );
  console.log('');
  const rows: [string, number, number][] = [];
  const add = (name: string, score: (user: PseudoUser) => Map<string, number>): void => {
    let ndcg = 0;
    let auc = 0;
    for (const user of users) {
      const scores = score(user);
      const relevant = new Set(user.relevant.filter((id) => byId.get(id)!.day > root.trainDays[1]));
      ndcg += ndcgAt(10, rankByScore(scores), relevant);
      auc += rocAuc(scores, relevant);
    }
    rows.push([name, ndcg / users.length, auc / users.length]);
  };
  add('upvotes only', () => scoreTest((paper) => paper.upvotes));
  add('topic match (topic rules), then upvotes', (user) =>
    scoreTest((paper) => (matchesTopic(paper, user) ? 1e6 : 0) + paper.upvotes),
  );
  add('keyword match, then upvotes', (user) =>
    scoreTest((paper) => (matchesKeyword(paper, user.keywords) ? 1e6 : 0) + paper.upvotes),
  );
  add('topics or keywords, then upvotes (today)', (user) =>
    scoreTest((paper) => (matchesTopic(paper, user) || matchesKeyword(paper, user.keywords) ? 1e6 : 0) + paper.upvotes),
  );
  const baselines = rows.length;
  add('centroid similarity (5 up + 3 down)', (user) => learned(user, 5, 3, { priorStrength: Infinity }));
  for (const filtered of [false, true]) {
    const where = filtered ? ', within topics or keywords' : '';
    add(`learned, 3 votes (2 up + 1 down)${where}`, (user) => learned(user, 2, 1, {}, filtered));
    add(`learned, 5 votes (3 up + 2 down)${where}`, (user) => learned(user, 3, 2, {}, filtered));
    add(`learned, 8 votes (5 up + 3 down)${where}`, (user) => learned(user, 5, 3, {}, filtered));
    add(`learned, 10 votes (6 up + 4 down)${where}`, (user) => learned(user, 6, 4, {}, filtered));
    add(`seeds only (5 seed papers)${where}`, (user) => learned(user, 5, 0, {}, filtered));
  }
  const best = Math.max(...rows.slice(0, baselines).map(([, ndcg]) => ndcg));
  console.log('| ranking | nDCG@10 | ROC-AUC | nDCG@10 / best baseline |');
  console.log('|---|---|---|---|');
  for (const [name, ndcg, auc] of rows) {
    console.log(`| ${name} | ${ndcg.toFixed(3)} | ${auc.toFixed(3)} | ${(ndcg / best).toFixed(2)}× |`);
  }
  console.log('');
  speed();
}

/** The test days' papers scored for one user. */
function scoreTest(score: (paper: FixturePaper) => number): Map<string, number> {
  return new Map(test.map((paper) => [paper.id, score(paper)]));
}

function matchesTopic(paper: FixturePaper, user: PseudoUser): boolean {
  return classifyTopics(paper).some((tag) => user.topics.includes(tag.topic));
}

function matchesKeyword(paper: FixturePaper, keywords: readonly string[]): boolean {
  const text = `${paper.title} ${paper.abstract}`.toLowerCase();
  return keywords.some((keyword) => text.includes(keyword.toLowerCase()));
}

/**
 * A user's votes on days 1-7: up on their earliest relevant papers; down on the most upvoted papers they
 * do not want (what an upvote-ranked digest put in front of them). The other day 1-7 papers are the
 * background sample.
 */
function trainingSet(user: PseudoUser, up: number, down: number) {
  const relevant = new Set(user.relevant);
  const byDay = (a: FixturePaper, b: FixturePaper): number => a.day - b.day || (a.id < b.id ? -1 : 1);
  const liked = train
    .filter((paper) => relevant.has(paper.id))
    .sort(byDay)
    .slice(0, up);
  const disliked = train
    .filter((paper) => !relevant.has(paper.id))
    .sort((a, b) => b.upvotes - a.upvotes || byDay(a, b))
    .slice(0, down);
  const voted = new Set([...liked, ...disliked].map((paper) => paper.id));
  const vectorOf = (paper: FixturePaper): SparseVector => vectors.get(paper.id)!;
  return {
    liked: liked.map(vectorOf),
    disliked: disliked.map(vectorOf),
    background: train.filter((paper) => !voted.has(paper.id)).map(vectorOf),
  };
}

/**
 * The test days ranked by a user's model. `filtered`: as the product ranks a subscription with topics or
 * keywords, the papers they match first (the others are not candidates, so they come last).
 */
function learned(
  user: PseudoUser,
  up: number,
  down: number,
  options: Partial<TrainingOptions> = {},
  filtered = false,
): Map<string, number> {
  const model = trainRelevanceModel(trainingSet(user, up, down), options)!;
  const index = new CandidateIndex(test.map((paper) => ({ id: paper.id, vector: vectors.get(paper.id)! })));
  const scores = index.score(model);
  return new Map(
    test.map((paper, i) => {
      const candidate = !filtered || matchesTopic(paper, user) || matchesKeyword(paper, user.keywords);
      return [paper.id, scores[i] + (candidate ? 0 : -1e6)];
    }),
  );
}

function speed(): void {
  // Training: 8 votes and a 500-paper background sample (drawn with repeats from the corpus).
  const all = [...vectors.values()];
  const sets = users.map((user) => {
    const set = trainingSet(user, 5, 3);
    return { ...set, background: Array.from({ length: 500 }, (_, i) => all[(i * 7919) % all.length]) };
  });
  const models: RelevanceModel[] = [];
  const trainMs = timeEach(sets.length, () => sets.forEach((set) => models.push(trainRelevanceModel(set)!)));
  const centroidMs = timeEach(sets.length, () =>
    sets.forEach((set) => trainRelevanceModel({ ...set, background: [] }, { priorStrength: Infinity })),
  );
  const sizes = models.map(modelSize);
  console.log(
    `Training (8 votes + 500 background papers): ${trainMs.wall.toFixed(2)} ms per subscriber ` +
      `(${trainMs.cpu.toFixed(2)} ms CPU); baseline similarity profile only ${centroidMs.wall.toFixed(3)} ms ` +
      `(${centroidMs.cpu.toFixed(3)} ms CPU); ratio ${(trainMs.cpu / centroidMs.cpu).toFixed(1)}×`,
  );
  console.log(
    `Model size: ${Math.max(...sizes)} bytes at most, ${Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length)} on average (${models[0].terms.length} terms)`,
  );

  // Scoring: CANDIDATES papers (the corpus repeated under new ids) for SUBSCRIBERS subscribers, cycling the models.
  const candidates = Array.from({ length: CANDIDATES }, (_, i) => ({ id: `c${i}`, vector: all[i % all.length] }));
  const upvotes = Int32Array.from(candidates, (_, i) => papers[i % papers.length].upvotes);
  const candidatePapers: CandidatePaper[] = candidates.map((candidate, i) => ({
    id: candidate.id,
    upvotes: upvotes[i],
    listedAtMicros: i,
    topics: new Map(),
  }));
  const list = { ids: candidates.map((candidate) => candidate.id), upvotes };
  let checksum = 0;
  const ranked = time(() => {
    const index = new CandidateIndex(candidates);
    const buffer = new Float32Array(index.size);
    for (let s = 0; s < SUBSCRIBERS; s++) {
      checksum += pickForYou(list, index.score(models[s % models.length], [], buffer), 20).length;
    }
  });
  const baseline = time(() => {
    const filter = { topics: [], keywords: [], excludeTopics: [], minUpvotes: 0 };
    for (let s = 0; s < SUBSCRIBERS; s++) {
      checksum += rankCandidates(candidatePapers, filter, null).slice(0, 20).length;
    }
  });
  console.log(
    `Scoring and picking ${SUBSCRIBERS} subscribers × ${CANDIDATES} candidates (one core): for-you ${(ranked / 1000).toFixed(1)} s; ` +
      `baseline upvote ranking (rankCandidates) ${(baseline / 1000).toFixed(1)} s; ratio ${(ranked / baseline).toFixed(2)}× (checksum ${checksum % 997})`,
  );
}

function time(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
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

function repositoryRoot(from: string): string {
  return existsSync(join(from, 'package.json')) ? from : repositoryRoot(dirname(from));
}

function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(fixtures, name), 'utf8')) as T;
}

main();
