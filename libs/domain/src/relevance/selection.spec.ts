import type { CandidatePaper } from '../digests/selection';
import { addInterestBoost, exploreSlots, INTEREST_MATCH_BOOST, pickForYou } from './selection';

describe('pickForYou', () => {
  // 12 candidates: scores fall with the index, upvotes rise with it.
  const ids = Array.from({ length: 12 }, (_, i) => `p${i}`);
  const scores = Float32Array.from(ids, (_, i) => 12 - i);
  const upvotes = Int32Array.from(ids, (_, i) => i * 10);

  it('takes the best-scored papers and, in two slots, the best-upvoted ones it scores low', () => {
    const picks = pickForYou({ ids, upvotes }, scores, 8);
    expect(picks.map((pick) => pick.id)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p11', 'p10']);
    expect(picks.filter((pick) => pick.policy === 'explore').map((pick) => pick.id)).toEqual(['p11', 'p10']);
  });

  it('gives small digests fewer explore slots, and none when every candidate fits', () => {
    expect([exploreSlots(3), exploreSlots(4), exploreSlots(8), exploreSlots(50)]).toEqual([0, 1, 2, 2]);
    expect(pickForYou({ ids, upvotes }, scores, 12).every((pick) => pick.policy === 'model')).toBe(true);
    expect(pickForYou({ ids, upvotes }, scores, 3).map((pick) => pick.id)).toEqual(['p0', 'p1', 'p2']);
  });

  it('explores the best-upvoted low-scored paper even when it would have filled the last slot', () => {
    const six = ['a', 'b', 'c', 'd', 'e', 'f'];
    const picks = pickForYou(
      { ids: six, upvotes: Int32Array.from([0, 0, 0, 99, 98, 97]) },
      Float32Array.from([3, 2, 1, 0, 0, 0]),
      4,
    );
    expect(picks.map((pick) => [pick.id, pick.policy])).toEqual([
      ['a', 'model'],
      ['b', 'model'],
      ['c', 'model'],
      ['d', 'explore'],
    ]);
    // Fewer explore picks than slots: the model's picks fill the cap, and no paper comes twice.
    const nine = Array.from({ length: 9 }, (_, i) => `q${i}`);
    const filled = pickForYou(
      { ids: nine, upvotes: Int32Array.from(nine, (_, i) => (i === 7 ? 50 : 0)) },
      Float32Array.from(nine, (_, i) => 9 - i),
      8,
    );
    expect(filled.map((pick) => [pick.id, pick.policy])).toEqual([
      ...['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q6'].map((id) => [id, 'model']),
      ['q7', 'explore'],
    ]);
    expect(new Set(filled.map((pick) => pick.id)).size).toBe(filled.length);
  });

  it('explores only papers scored at most the mean and with upvotes', () => {
    const flat = Float32Array.from(ids, (_, i) => (i < 10 ? 1 : 0.5));
    const picks = pickForYou({ ids, upvotes: Int32Array.from(ids, (_, i) => (i === 11 ? 0 : 5)) }, flat, 4);
    expect(picks.map((pick) => [pick.id, pick.policy])).toEqual([
      ['p0', 'model'],
      ['p1', 'model'],
      ['p2', 'model'],
      ['p10', 'explore'],
    ]);
  });

  it('leaves out papers that are not eligible', () => {
    const eligible = Uint8Array.from(ids, (_, i) => (i % 2 === 0 ? 1 : 0));
    const picks = pickForYou({ ids, upvotes }, scores, 4, eligible);
    expect(picks.map((pick) => pick.id)).toEqual(['p0', 'p2', 'p4', 'p10']);
  });

  it('breaks score ties by upvotes', () => {
    const tied = new Float32Array(12).fill(1);
    expect(pickForYou({ ids, upvotes }, tied, 3).map((pick) => pick.id)).toEqual(['p11', 'p10', 'p9']);
  });
});

describe('addInterestBoost', () => {
  const paper = (id: string, topics: string[]): CandidatePaper => ({
    id,
    upvotes: 0,
    listedAtMicros: 0,
    topics: new Map(topics.map((topic) => [topic, 1])),
  });
  const candidates = [paper('both', ['efficiency']), paper('topic', ['efficiency']), paper('keyword', ['llm'])];
  const keywordRanks = new Map([
    ['both', 0.5],
    ['keyword', 0.1],
  ]);

  it('adds the boost once for a topic of the subscription and once for its keywords', () => {
    const scores = addInterestBoost(
      Float32Array.from([0.1, 0.1, 0.3]),
      candidates,
      { topics: ['efficiency'], keywords: ['pruning'] },
      keywordRanks,
    );
    expect(Array.from(scores)).toEqual(
      [0.1 + 2 * INTEREST_MATCH_BOOST, 0.1 + INTEREST_MATCH_BOOST, 0.3 + INTEREST_MATCH_BOOST].map(Math.fround),
    );
  });

  it('changes nothing for a subscription with only topics or only keywords', () => {
    const onlyTopics = addInterestBoost(
      Float32Array.from([0.1, 0.2, 0.3]),
      candidates,
      { topics: ['efficiency'], keywords: [] },
      null,
    );
    const onlyKeywords = addInterestBoost(
      Float32Array.from([0.1, 0.2, 0.3]),
      candidates,
      { topics: [], keywords: ['pruning'] },
      keywordRanks,
    );
    expect(Array.from(onlyTopics)).toEqual([0.1, 0.2, 0.3].map(Math.fround));
    expect(Array.from(onlyKeywords)).toEqual([0.1, 0.2, 0.3].map(Math.fround));
  });
});
