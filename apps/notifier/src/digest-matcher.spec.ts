import type { DigestRepository, RelevanceRepository, SubscriptionEntity } from '@libs/database';
import { type CandidatePaper, DocumentFrequencies } from '@libs/domain';
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
  const forYouInputs = jest.fn();
  const features = jest.fn();
  const frequencies = jest.fn();
  const texts = jest.fn();
  const matcher = new DigestMatcher(
    { candidatesIn, keywordRanks } as unknown as DigestRepository,
    { forYouInputs, features, frequencies, texts } as unknown as RelevanceRepository,
  );

  beforeEach(() => {
    now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    candidatesIn
      .mockReset()
      .mockResolvedValue([candidate('a', 5, { llm: 1 }), candidate('b', 9, { vision: 1 }), candidate('c', 1, {})]);
    keywordRanks.mockReset().mockResolvedValue(new Map([['c', 0.5]]));
    forYouInputs.mockReset().mockResolvedValue(null);
    features.mockReset().mockImplementation(async (ids: string[]) => {
      const words: Record<string, string> = { a: 'cache', b: 'vision', c: 'agent', d: 'cache', v: 'vision' };
      return new Map(ids.map((id) => [id, new Map([[words[id] ?? 'liked', 1]])]));
    });
    frequencies.mockReset().mockResolvedValue(
      new DocumentFrequencies(10, [
        ['cache', 2],
        ['vision', 2],
        ['agent', 2],
      ]),
    );
    texts
      .mockReset()
      .mockImplementation(async (ids: string[]) =>
        ids.map((id) => ({ id, title: id === 'b' ? 'Vision' : 'Cache', abstract: '', authors: [] })),
      );
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

  it("should keep a window's relevance index while its papers stay the same, taking fresh upvotes, and ask the ledger about eligible papers only", async () => {
    const forYou = { ...subscription(['llm', 'vision'], []), ranking: 'for-you', maxPapers: 10, followedAuthors: [] };
    forYouInputs.mockResolvedValue({
      model: { terms: ['cache'], weights: Float32Array.of(1), liked: 1, disliked: 0 },
      liked: [],
      delivered: new Set(),
    });
    const papers = (upvotesOfB: number): CandidatePaper[] => [
      candidate('a', 5, { llm: 1 }),
      candidate('b', upvotesOfB, { vision: 1 }),
      candidate('c', 1, {}),
      candidate('v', 3, { vision: 1 }),
    ];
    candidatesIn.mockResolvedValue(papers(9));
    expect((await matcher.rank(forYou as SubscriptionEntity, window)).paperIds).toEqual(['a', 'b', 'v']);
    expect(forYouInputs).toHaveBeenCalledWith('s', expect.any(Number), ['a', 'b', 'v']);

    // The candidates are read again after ten seconds: the same papers, new upvotes (ties go to upvotes).
    now += 10_001;
    candidatesIn.mockResolvedValue(papers(0));
    expect((await matcher.rank(forYou as SubscriptionEntity, window)).paperIds).toEqual(['a', 'v', 'b']);
    expect(candidatesIn).toHaveBeenCalledTimes(2);
    expect(features).toHaveBeenCalledTimes(1);
    expect(frequencies).toHaveBeenCalledTimes(1);

    // Another paper in the window: indexed afresh, and the model ranks it.
    now += 10_001;
    candidatesIn.mockResolvedValue([
      candidate('d', 1, { llm: 1 }),
      candidate('a', 5, { llm: 1 }),
      candidate('b', 9, { vision: 1 }),
    ]);
    const ranked = await matcher.rank(forYou as SubscriptionEntity, window);
    expect(ranked.paperIds.slice(0, 2).sort()).toEqual(['a', 'd']);
    expect(features).toHaveBeenCalledTimes(2);
  });

  it('should keep at most a bounded number of liked papers per window, making them afresh past it', async () => {
    const forYou = { ...subscription(['llm'], []), ranking: 'for-you', maxPapers: 10, followedAuthors: [] };
    const likedOf = (prefix: string): { id: string; title: string }[] =>
      Array.from({ length: 1_500 }, (_, i) => ({ id: `${prefix}${i}`, title: `Liked ${i}` }));
    const inputs = (liked: { id: string; title: string }[]): unknown => ({
      model: { terms: ['cache'], weights: Float32Array.of(1), liked: liked.length, disliked: 0 },
      liked,
      delivered: new Set(),
    });
    const likedRead = (): number => features.mock.calls.filter(([ids]: [string[]]) => ids.includes('x0')).length;
    forYouInputs.mockResolvedValueOnce(inputs(likedOf('x')));
    await matcher.rank(forYou as SubscriptionEntity, window);
    forYouInputs.mockResolvedValueOnce(inputs(likedOf('x')));
    await matcher.rank(forYou as SubscriptionEntity, window);
    expect(likedRead()).toBe(1);
    // Another 1,500 liked papers pass the bound: the first subscriber's are made afresh next time.
    forYouInputs.mockResolvedValueOnce(inputs(likedOf('y')));
    await matcher.rank(forYou as SubscriptionEntity, window);
    forYouInputs.mockResolvedValueOnce(inputs(likedOf('x')));
    const ranked = await matcher.rank(forYou as SubscriptionEntity, window);
    expect(likedRead()).toBe(2);
    expect(ranked.paperIds[0]).toBe('a');
  });
});
