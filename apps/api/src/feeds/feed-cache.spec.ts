import { gunzipSync } from 'node:zlib';
import { Memo, RenderedFeedCache } from './feed-cache';

describe('RenderedFeedCache', () => {
  let clock: number;
  let renders: number;
  const now = (): number => clock;
  const render = (text: string) => (): Promise<string> => {
    renders += 1;
    return Promise.resolve(text);
  };

  beforeEach(() => {
    clock = Date.parse('2026-11-28T10:00:00.400Z');
    renders = 0;
  });

  it('should render once per key and version, and share a rendering in flight', async () => {
    const cache = new RenderedFeedCache({ maxEntries: 10, maxAgeMs: 60_000 }, now);

    const [a, b] = await Promise.all([cache.get('k', 'v1', render('one')), cache.get('k', 'v1', render('one'))]);
    const c = await cache.get('k', 'v1', render('one'));

    expect(renders).toBe(1);
    expect(a).toBe(b);
    expect(c).toBe(a);
    expect(a.identity.body.toString()).toBe('one');
    expect(a.identity.etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    // The gzip representation: the same bytes compressed, under its own tag.
    expect(gunzipSync(a.gzip.body).toString()).toBe('one');
    expect(a.gzip.etag).toBe(a.identity.etag.replace(/"$/, '-gzip"'));
    // Whole seconds, as an HTTP date carries them.
    expect(a.lastModified.toISOString()).toBe('2026-11-28T10:00:00.000Z');
  });

  it('should keep the ETag and Last-Modified when a new version renders the same bytes', async () => {
    const cache = new RenderedFeedCache({ maxEntries: 10, maxAgeMs: 60_000 }, now);
    const first = await cache.get('k', 'v1', render('same'));
    clock += 5000;

    const second = await cache.get('k', 'v2', render('same'));

    expect(renders).toBe(2);
    expect(second.identity.etag).toBe(first.identity.etag);
    expect(second.lastModified).toEqual(first.lastModified);
  });

  it('should give changed bytes a later Last-Modified, even within the same second', async () => {
    const cache = new RenderedFeedCache({ maxEntries: 10, maxAgeMs: 60_000 }, now);
    const first = await cache.get('k', 'v1', render('old'));
    clock += 300;

    const second = await cache.get('k', 'v2', render('new'));

    expect(second.identity.etag).not.toBe(first.identity.etag);
    expect(second.lastModified.getTime()).toBe(first.lastModified.getTime() + 1000);
  });

  it('should render again after maxAgeMs even when the version is unchanged', async () => {
    const cache = new RenderedFeedCache({ maxEntries: 10, maxAgeMs: 1000 }, now);
    await cache.get('k', 'v1', render('one'));
    clock += 999;
    await cache.get('k', 'v1', render('one'));
    expect(renders).toBe(1);
    clock += 1;

    await cache.get('k', 'v1', render('one'));

    expect(renders).toBe(2);
  });

  it('should not keep a failed rendering', async () => {
    const cache = new RenderedFeedCache({ maxEntries: 10, maxAgeMs: 60_000 }, now);

    await expect(cache.get('k', 'v1', () => Promise.reject(new Error('database down')))).rejects.toThrow(
      'database down',
    );
    const feed = await cache.get('k', 'v1', render('recovered'));

    expect(feed.identity.body.toString()).toBe('recovered');
  });

  it('should drop the least recently rendered entries beyond maxEntries', async () => {
    const cache = new RenderedFeedCache({ maxEntries: 2, maxAgeMs: 60_000 }, now);
    await cache.get('a', 'v', render('a'));
    await cache.get('b', 'v', render('b'));
    await cache.get('c', 'v', render('c'));

    expect(cache.size).toBe(2);
    await cache.get('b', 'v', render('b'));
    expect(renders).toBe(3);
    await cache.get('a', 'v', render('a'));
    expect(renders).toBe(4);
  });

  it('should peek only at a fresh rendering that is done, for callers that must not wait', async () => {
    const cache = new RenderedFeedCache({ maxEntries: 10, maxAgeMs: 60_000 }, now);
    expect(cache.peek('k', 'v1')).toBeNull();

    const pending = cache.get('k', 'v1', render('one'));
    expect(cache.peek('k', 'v1')).toBeNull();
    const feed = await pending;

    expect(cache.peek('k', 'v1')).toBe(feed);
    expect(cache.peek('k', 'v2')).toBeNull();
    clock += 60_000;
    expect(cache.peek('k', 'v1')).toBeNull();
  });
});

describe('Memo', () => {
  it('should read at most once per ttl, sharing the read in flight, and read again after a failure', async () => {
    let clock = 0;
    let reads = 0;
    let fail = false;
    const memo = new Memo(
      () => {
        reads += 1;
        return fail ? Promise.reject(new Error('no')) : Promise.resolve(reads);
      },
      1000,
      () => clock,
    );

    expect(await Promise.all([memo.get(), memo.get()])).toEqual([1, 1]);
    clock = 999;
    expect(await memo.get()).toBe(1);
    clock = 1000;
    fail = true;
    await expect(memo.get()).rejects.toThrow('no');
    fail = false;
    expect(await memo.get()).toBe(3);
  });

  it('should peek at a value read within the ttl, never at one still being read', async () => {
    let clock = 0;
    const memo = new Memo(
      () => Promise.resolve('v1'),
      1000,
      () => clock,
    );
    expect(memo.peek()).toBeUndefined();

    const reading = memo.get();
    expect(memo.peek()).toBeUndefined();
    await reading;

    expect(memo.peek()).toBe('v1');
    clock = 1000;
    expect(memo.peek()).toBeUndefined();
  });
});
