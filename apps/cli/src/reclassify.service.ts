import { Injectable } from '@nestjs/common';
import { PaperRepository } from '@libs/database';
import { classifyTopics } from '@libs/domain';

export interface ReclassifyProgress {
  /** Papers when the run started; papers added meanwhile are tagged by the classifier and may be counted too. */
  total: number;
  done: number;
  batches: number;
  /** Papers whose topics, scores or evidence changed. */
  retagged: number;
  titleKeys: number;
}

/**
 * `reclassify`: re-tags every paper with the current topic rules, a batch at a time, each batch in its own
 * transaction. Only paper_topics (and stale title keys) change: digests, their papers and deliveries are the
 * record of what was sent and stay as they were; papers stay ready and keep their dates.
 */
@Injectable()
export class ReclassifyService {
  constructor(private readonly papers: PaperRepository) {}

  async reclassify(options: {
    batchSize: number;
    onStart?: (total: number) => void;
    onBatch?: (progress: ReclassifyProgress) => void;
  }): Promise<ReclassifyProgress> {
    const progress: ReclassifyProgress = {
      total: await this.papers.count(),
      done: 0,
      batches: 0,
      retagged: 0,
      titleKeys: 0,
    };
    options.onStart?.(progress.total);
    let afterId: string | null = null;
    for (;;) {
      const batch = await this.papers.retagBatch(afterId, options.batchSize, (paper) =>
        classifyTopics({
          title: paper.title,
          abstract: paper.abstract,
          categories: paper.categories,
          keywords: paper.keywords,
        }),
      );
      if (!batch) {
        return progress;
      }
      afterId = batch.lastId;
      progress.done += batch.papers;
      progress.total = Math.max(progress.total, progress.done);
      progress.batches += 1;
      progress.retagged += batch.retagged;
      progress.titleKeys += batch.titleKeys;
      options.onBatch?.({ ...progress });
    }
  }
}
