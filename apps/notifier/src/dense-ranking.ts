import { Injectable } from '@nestjs/common';
import { Settings } from '@libs/config';
import { EmbeddingRepository } from '@libs/database';
import { DenseWindow, type VotedVector } from '@libs/domain';

/** What a for-you digest blends in when embeddings are on: its window's embeddings and the subscriber's voted ones. */
export interface DenseInputs {
  window: DenseWindow;
  voted: VotedVector[];
  /** EMBEDDINGS_WEIGHT. */
  weight: number;
}

const TTL_MS = 10_000;
const MAX_WINDOWS = 16;
/** Voted papers a dense profile is made of: the latest ones. */
const VOTES_READ = 200;

/**
 * The optional dense term of for-you digests (docs/relevance.md, "Embeddings"): with EMBEDDINGS_URL set,
 * each window's candidates' embeddings are read once (kept ten seconds, like the window's candidates),
 * and each digest reads its subscriber's voted papers' embeddings. Off, it reads nothing.
 */
@Injectable()
export class DenseRanking {
  private readonly model: string | null;
  private readonly weight: number;
  private readonly windows = new Map<string, { value: Promise<DenseWindow>; expires: number }>();

  constructor(
    settings: Settings,
    private readonly embeddings: EmbeddingRepository,
  ) {
    // Weight 0 stores embeddings without ranking by them: nothing to read per digest then.
    this.model = settings.EMBEDDINGS_WEIGHT > 0 ? (settings.embeddings?.model ?? null) : null;
    this.weight = settings.EMBEDDINGS_WEIGHT;
  }

  get enabled(): boolean {
    return this.model !== null;
  }

  /** The window's embeddings and the subscriber's voted ones, or null when off or nothing can be blended. */
  async inputs(
    subscriptionId: string,
    windowKey: string,
    candidateIds: readonly string[],
  ): Promise<DenseInputs | null> {
    if (this.model === null) {
      return null;
    }
    const [window, voted] = await Promise.all([
      this.window(this.model, windowKey, candidateIds),
      this.embeddings.voted(subscriptionId, this.model, VOTES_READ),
    ]);
    return window.embedded && voted.some((paper) => paper.vote === 'up')
      ? { window, voted, weight: this.weight }
      : null;
  }

  /** Forgets every window read so far. */
  clear(): void {
    this.windows.clear();
  }

  private window(model: string, windowKey: string, candidateIds: readonly string[]): Promise<DenseWindow> {
    const now = Date.now();
    const entry = this.windows.get(windowKey);
    if (entry && entry.expires > now) {
      return entry.value;
    }
    this.windows.delete(windowKey);
    while (this.windows.size >= MAX_WINDOWS) {
      this.windows.delete(this.windows.keys().next().value as string);
    }
    const value = this.embeddings
      .vectors(model, candidateIds)
      .then((vectors) => new DenseWindow(candidateIds.map((id) => vectors.get(id))));
    this.windows.set(windowKey, { value, expires: now + TTL_MS });
    value.catch(() => {
      if (this.windows.get(windowKey)?.value === value) {
        this.windows.delete(windowKey);
      }
    });
    return value;
  }
}
