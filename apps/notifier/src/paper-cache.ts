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
    const missing = ids.filter((id) => (this.entries.get(id)?.expires ?? 0) <= now);
    if (missing.length > 0) {
      for (const paper of await this.load(missing)) {
        if (this.entries.size >= this.maxEntries) {
          // Maps iterate in insertion order: the first key is the oldest entry.
          this.entries.delete(this.entries.keys().next().value as string);
        }
        this.entries.set(paper.id, { paper, expires: now + this.ttlMs });
      }
    }
    return ids.map((id) => this.entries.get(id)?.paper).filter((paper): paper is PaperWithTopics => paper !== undefined);
  }
}
