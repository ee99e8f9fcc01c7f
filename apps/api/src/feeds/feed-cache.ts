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
  /** The feed once rendered, for callers that must not wait (the fast path). */
  settled?: RenderedFeed;
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

  /** The feed rendered for `key` from `version`, when it is fresh and done rendering; null otherwise. */
  peek(key: string, version: string): RenderedFeed | null {
    const entry = this.entries.get(key);
    return entry && this.isFresh(entry, version) ? (entry.settled ?? null) : null;
  }

  get(key: string, version: string, render: () => Promise<string>): Promise<RenderedFeed> {
    const entry = this.entries.get(key);
    if (entry && this.isFresh(entry, version)) {
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
    const created: Entry = { version, renderedAt: this.now(), feed };
    this.entries.delete(key);
    this.entries.set(key, created);
    feed.then(
      (rendered) => {
        created.settled = rendered;
      },
      // A failed rendering is not kept: the next request tries again.
      () => {
        if (this.entries.get(key) === created) {
          this.entries.delete(key);
        }
      },
    );
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return feed;
  }

  get size(): number {
    return this.entries.size;
  }

  private isFresh(entry: Entry, version: string): boolean {
    return entry.version === version && this.now() - entry.renderedAt < this.options.maxAgeMs;
  }
}

/**
 * A value read at most once per `ttlMs` (concurrent callers share the read in flight), so that checking whether
 * the papers changed costs one query a second per process rather than one per request.
 */
export class Memo<T> {
  private current: { value: Promise<T>; readAt: number; settled?: { value: T } } | null = null;

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
    const current: NonNullable<typeof this.current> = { value, readAt: this.now() };
    this.current = current;
    value.then(
      (read) => {
        current.settled = { value: read };
      },
      () => {
        if (this.current === current) {
          this.current = null;
        }
      },
    );
    return value;
  }

  /** The value when read within the last `ttlMs` and already there; undefined when a caller would have to wait. */
  peek(): T | undefined {
    return this.current && this.now() - this.current.readAt < this.ttlMs ? this.current.settled?.value : undefined;
  }
}
