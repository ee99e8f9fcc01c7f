import { Injectable } from '@nestjs/common';
import { Settings } from '@libs/config';
import { EmbeddingRepository } from '@libs/database';
import { PermanentError } from '@libs/domain';
import { HttpClient } from '@libs/http';
import { embedBatches, JobName, JobProducer } from '@libs/queues';
import { EmbeddingsError, type EmbeddingsFeaturizer, embeddingsFeaturizerFor } from './embeddings-featurizer';

/**
 * Dense embeddings of papers (optional, EMBEDDINGS_URL): queued after a classify batch featurizes its
 * papers, made by a job of their own (PapersEmbed on the embed queue, with its own retries), so an
 * embeddings outage never holds up classification. Off, it queues and calls nothing.
 */
@Injectable()
export class PaperEmbedder {
  private readonly featurizer: EmbeddingsFeaturizer | null;
  private readonly model: string | null;

  constructor(
    settings: Settings,
    http: HttpClient,
    private readonly embeddings: EmbeddingRepository,
    private readonly producer: JobProducer,
  ) {
    this.featurizer = embeddingsFeaturizerFor(settings.embeddings, http);
    this.model = settings.embeddings?.model ?? null;
  }

  /** Queues the embedding of these papers, when embeddings are on; how many jobs. */
  async queue(paperIds: readonly string[]): Promise<number> {
    if (this.featurizer === null || paperIds.length === 0) {
      return 0;
    }
    const batches = embedBatches(paperIds);
    await this.producer.enqueueMany(JobName.PapersEmbed, batches);
    return batches.length;
  }

  /**
   * Embeds the ready papers among these that have no embedding of the configured model and stores the
   * vectors; how many. A rate limit, a server error or a timeout propagates (the job backs off and tries
   * again); an answer that will not get better (a 4xx, a malformed body) fails the job for good.
   */
  async embed(paperIds: readonly string[], now: Date): Promise<number> {
    if (this.featurizer === null || this.model === null) {
      return 0;
    }
    const papers = await this.embeddings.missing(this.model, paperIds);
    if (papers.length === 0) {
      return 0;
    }
    let vectors: Float32Array[];
    try {
      vectors = await this.featurizer.embed(papers);
    } catch (error) {
      if (error instanceof EmbeddingsError && !error.transient) {
        throw new PermanentError(error.message);
      }
      throw error;
    }
    await this.embeddings.store(
      this.model,
      papers.map((paper, i) => ({ paperId: paper.id, vector: vectors[i] })),
      now,
    );
    return papers.length;
  }
}
