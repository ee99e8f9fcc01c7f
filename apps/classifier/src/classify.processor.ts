import { Processor } from '@nestjs/bullmq';
import { DeclaredWorker, JobName, QueueHandlers, QueueName } from '@libs/queues';
import { ClassifierService, summarise } from './classifier.service';
import { PendingSeedResolver } from './pending-seeds';
import { RelevanceTrainer } from './relevance-trainer';

// Four batches at a time: with two, Node and Postgres often waited on each other (a batch spends half its time in
// each); four keep both busy, about 1.2x the throughput at 100k listings. Races between them are the merge's job.
@Processor(QueueName.Classify, { concurrency: 4 })
export class ClassifyProcessor extends DeclaredWorker<QueueName.Classify> {
  protected readonly handlers: QueueHandlers<QueueName.Classify> = {
    [JobName.ListingsClassify]: async ({ listingIds }, job) => {
      const summary = summarise(await this.classifier.classifyBatch(listingIds));
      if (summary.missing > 0) {
        this.logger.warn(`${job.id}: ${summary.missing} of ${listingIds.length} listings do not exist`);
      }
      // A paper a subscriber seeded before it was known (looked up on arXiv) may be among the batch's.
      await this.seeds.resolve();
      return summary;
    },
    [JobName.RelevanceTrain]: async ({ subscriptionId }) => ({
      terms: (await this.trainer.train(subscriptionId))?.terms.length ?? 0,
    }),
  };

  constructor(
    private readonly classifier: ClassifierService,
    private readonly trainer: RelevanceTrainer,
    private readonly seeds: PendingSeedResolver,
  ) {
    super(QueueName.Classify);
  }
}
