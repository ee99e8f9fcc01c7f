import type { PaperWithTopics } from '@libs/database';

/**
 * Papers with their topics, kept for a short while. A paper's upvotes or topics changing within the
 * TTL shows up in the next digests, not this minute's; what a digest holds is fixed by the ledger anyway.
 */
export class PaperCache {
  private readonly entries = new Map<string, { paper: PaperWithTopics; expires: number }>();

  constructor(
    private readonly load: (ids: string[]) => Promise<PaperWithTopics[]>,
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  /** The papers with these ids, in the order of the ids (unknown ids are left out). */
  async get(ids: string[]): Promise<PaperWithTopics[]> {
    const now = Date.now();
    const found = new Map<string, PaperWithTopics>();
    const missing: string[] = [];
    for (const id of ids) {
      const entry = this.entries.get(id);
      if (entry && entry.expires > now) {
        found.set(id, entry.paper);
      } else {
        missing.push(id);
      }
    }
    if (missing.length > 0) {
      for (const paper of await this.load(missing)) {
        found.set(paper.id, paper);
        this.remember(paper, now);
      }
    }
    // Built from what this call found, so evicting an entry to make room never drops a paper asked for.
    return ids.map((id) => found.get(id)).filter((paper): paper is PaperWithTopics => paper !== undefined);
  }

  private remember(paper: PaperWithTopics, now: number): void {
    // Re-inserting moves the key to the end: Map order is then oldest-first, which eviction relies on.
    this.entries.delete(paper.id);
    while (this.entries.size >= this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(paper.id, { paper, expires: now + this.ttlMs });
  }
}
