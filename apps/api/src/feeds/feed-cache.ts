import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

/** One representation of a feed, with its strong entity tag. */
export interface FeedBytes {
  body: Buffer;
  etag: string;
}

/** A feed as it goes on the wire: as is, and gzip-compressed once for the readers that accept it (nearly all). */
export interface RenderedFeed {
  identity: FeedBytes;
  gzip: FeedBytes;
  lastModified: Date;
}

export async function renderedFeed(text: string, lastModified: Date): Promise<RenderedFeed> {
  const body = Buffer.from(text, 'utf8');
  // A hash of the bytes, so every replica gives the same feed the same tag; each coding has its own tag.
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 32);
  return {
    identity: { body, etag: `"${hash}"` },
    gzip: { body: await gzipAsync(body), etag: `"${hash}-gzip"` },
    lastModified,
  };
}

interface Entry {
  version: string;
  renderedAt: number;
  feed: Promise<RenderedFeed>;
}

const SECOND = 1000;

/**
 * Rendered public feeds, keyed by (format, filter) and by the version of the papers they were rendered from.
 * A feed is rendered again when a paper changed, or after `maxAgeMs` (topic tags re-computed by `reclassify`
 * do not touch a paper's updatedAt). Concurrent requests for a feed being rendered share that rendering.
 * Keyword feeds make the keys open-ended, so the least recently rendered entries are dropped beyond `maxEntries`.
 *
 * Last-Modified is when this process first rendered the bytes it serves: a rendering identical to the previous
 * one keeps its date, and a different one gets a later second than the previous (HTTP dates have whole seconds),
 * so a reader sending only If-Modified-Since is never told "not modified" about a change.
 */
export class RenderedFeedCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly options: { maxEntries: number; maxAgeMs: number },
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string, version: string, render: () => Promise<string>): Promise<RenderedFeed> {
    const entry = this.entries.get(key);
    if (entry && entry.version === version && this.now() - entry.renderedAt < this.options.maxAgeMs) {
      return entry.feed;
    }
    const previous = entry?.feed.catch(() => null) ?? Promise.resolve(null);
    const feed = (async () => {
      const text = await render();
      const before = await previous;
      const fresh = await renderedFeed(text, new Date(Math.floor(this.now() / SECOND) * SECOND));
      if (before && before.identity.etag === fresh.identity.etag) {
        return before;
      }
      if (before && fresh.lastModified <= before.lastModified) {
        fresh.lastModified = new Date(before.lastModified.getTime() + SECOND);
      }
      return fresh;
    })();
    this.entries.delete(key);
    this.entries.set(key, { version, renderedAt: this.now(), feed });
    // A failed rendering is not kept: the next request tries again.
    feed.catch(() => {
      if (this.entries.get(key)?.feed === feed) {
        this.entries.delete(key);
      }
    });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return feed;
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * A value read at most once per `ttlMs` (concurrent callers share the read in flight), so that checking whether
 * the papers changed costs one query a second per process rather than one per request.
 */
export class Memo<T> {
  private current: { value: Promise<T>; readAt: number } | null = null;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<T> {
    if (this.current && this.now() - this.current.readAt < this.ttlMs) {
      return this.current.value;
    }
    const value = this.read();
    const current = { value, readAt: this.now() };
    this.current = current;
    value.catch(() => {
      if (this.current === current) {
        this.current = null;
      }
    });
    return value;
  }
}
