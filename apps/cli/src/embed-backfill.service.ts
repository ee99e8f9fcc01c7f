import { Injectable } from '@nestjs/common';
import { Settings } from '@libs/config';
import { EmbeddingRepository } from '@libs/database';
import { embedBatches, JobName, JobProducer, QueueName } from '@libs/queues';
import { CliError, PipelineRunner } from './pipeline-runner.service';

/** Paper ids read a round: a page of the backfill. */
const PAGE = 10_000;

/**
 * `embed`: queues the embedding of every ready paper without one of EMBEDDINGS_MODEL (papers from before
 * embeddings were on, a new model, jobs that gave up during an outage) for the running classifier. The
 * jobs are the classifier's own (PapersEmbed): idempotent, retried, and a paper embedded meanwhile is skipped.
 */
@Injectable()
export class EmbedBackfillService {
  constructor(
    private readonly settings: Settings,
    private readonly embeddings: EmbeddingRepository,
    private readonly producer: JobProducer,
    private readonly runner: PipelineRunner,
  ) {}

  async queueMissing(onPage?: (queued: number) => void): Promise<{ papers: number; jobs: number }> {
    const config = this.settings.embeddings;
    if (config === null) {
      throw new CliError('embed needs EMBEDDINGS_URL and EMBEDDINGS_MODEL: embeddings are off');
    }
    await this.runner.assertRunning([QueueName.Embed]);
    const queued = { papers: 0, jobs: 0 };
    let afterId: string | undefined;
    for (;;) {
      const ids = await this.embeddings.unembeddedIds(config.model, PAGE, afterId);
      if (ids.length === 0) {
        return queued;
      }
      const batches = embedBatches(ids);
      await this.producer.enqueueMany(JobName.PapersEmbed, batches);
      queued.papers += ids.length;
      queued.jobs += batches.length;
      afterId = ids[ids.length - 1];
      onPage?.(queued.papers);
    }
  }
}
