import type { DigestRepository, RelevanceRepository, SubscriptionEntity } from '@libs/database';
import type { CandidatePaper } from '@libs/domain';
import { DigestMatcher } from './digest-matcher';

const candidate = (id: string, upvotes: number, topics: Record<string, number>): CandidatePaper => ({
  id,
  upvotes,
  listedAtMicros: 1,
  topics: new Map(Object.entries(topics)),
});
const subscription = (topics: string[], keywords: string[]): SubscriptionEntity =>
  ({
    id: 's',
    topics,
    keywords,
    excludeTopics: [],
    minUpvotes: 0,
    ranking: 'upvotes',
  }) as unknown as SubscriptionEntity;
const window = { listedAfter: new Date('2026-11-26T00:00:00Z'), listedUntil: new Date('2026-11-28T00:00:00Z') };

describe(DigestMatcher.name, () => {
  let now = 0;
  const candidatesIn = jest.fn();
  const keywordRanks = jest.fn();
  const models = jest.fn().mockResolvedValue(new Map());
  const matcher = new DigestMatcher(
    { candidatesIn, keywordRanks } as unknown as DigestRepository,
    { models } as unknown as RelevanceRepository,
  );

  beforeEach(() => {
    now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    candidatesIn
      .mockReset()
      .mockResolvedValue([candidate('a', 5, { llm: 1 }), candidate('b', 9, { vision: 1 }), candidate('c', 1, {})]);
    keywordRanks.mockReset().mockResolvedValue(new Map([['c', 0.5]]));
    matcher.clear();
  });

  afterEach(() => jest.restoreAllMocks());

  it('should read a window once and search each distinct keyword list once for every digest of a fan-out', async () => {
    const ranked = await Promise.all([
      matcher.rank(subscription(['llm'], []), window),
      matcher.rank(subscription(['llm'], ['quantization', 'agents']), window),
      matcher.rank(subscription([], ['agents', 'quantization']), window),
      matcher.rank(subscription([], []), window),
    ]).then((all) => all.map((ranked) => ranked.paperIds));
    expect(ranked).toEqual([['a'], ['a', 'c'], ['c'], ['b', 'a', 'c']]);
    expect(candidatesIn).toHaveBeenCalledTimes(1);
    expect(keywordRanks).toHaveBeenCalledTimes(1);
    expect(keywordRanks).toHaveBeenCalledWith(window, ['quantization', 'agents']);
  });

  it('should read again after ten seconds, for another window, and after a failed read', async () => {
    await matcher.rank(subscription(['llm'], []), window);
    now += 9_999;
    await matcher.rank(subscription(['llm'], []), window);
    expect(candidatesIn).toHaveBeenCalledTimes(1);
    now += 2;
    await matcher.rank(subscription(['llm'], []), window);
    await matcher.rank(subscription(['llm'], []), { ...window, listedUntil: new Date('2026-11-28T00:01:00Z') });
    expect(candidatesIn).toHaveBeenCalledTimes(3);

    candidatesIn.mockRejectedValueOnce(new Error('connection lost'));
    const other = { ...window, listedUntil: new Date('2026-11-28T00:02:00Z') };
    await expect(matcher.rank(subscription(['llm'], []), other)).rejects.toThrow('connection lost');
    expect((await matcher.rank(subscription(['llm'], []), other)).paperIds).toEqual(['a']);
    expect(candidatesIn).toHaveBeenCalledTimes(5);
  });
});
