import type { PaperWithTopics } from '@libs/database';
import { PaperCache } from './paper-cache';

const paper = (id: string): PaperWithTopics => ({ id, title: id, topics: [] }) as unknown as PaperWithTopics;

describe(PaperCache.name, () => {
  it('should load only what it does not hold, and keep the order asked for', async () => {
    const load = jest.fn(async (ids: string[]) => ids.filter((id) => id !== 'gone').map(paper));
    const cache = new PaperCache(load, 60_000, 100);
    expect((await cache.get(['a', 'b'])).map((p) => p.id)).toEqual(['a', 'b']);
    expect((await cache.get(['b', 'c', 'gone', 'a'])).map((p) => p.id)).toEqual(['b', 'c', 'a']);
    expect(load.mock.calls).toEqual([[['a', 'b']], [['c', 'gone']]]);
  });

  it('should reload after the time to live and stay within its size', async () => {
    let now = 1_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    const load = jest.fn(async (ids: string[]) => ids.map(paper));
    const cache = new PaperCache(load, 500, 2);
    await cache.get(['a']);
    now += 600;
    await cache.get(['a']);
    expect(load).toHaveBeenCalledTimes(2);
    await cache.get(['b', 'c']);
    await cache.get(['a']);
    expect(load).toHaveBeenLastCalledWith(['a']);
    jest.restoreAllMocks();
  });

  it('should return every paper asked for even when making room evicts one of them', async () => {
    const load = jest.fn(async (ids: string[]) => ids.map(paper));
    const cache = new PaperCache(load, 60_000, 2);
    await cache.get(['a', 'b']);
    expect((await cache.get(['a', 'c'])).map((p) => p.id)).toEqual(['a', 'c']);
    expect((await cache.get(['x', 'y', 'z'])).map((p) => p.id)).toEqual(['x', 'y', 'z']);
  });
});
