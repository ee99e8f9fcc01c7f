import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { JobData, JobName, QueueName, runJob, QueueErrorReporter } from '@libs/queues';
import { BatchSummary, ClassifierService, summarise } from './classifier.service';
import { RelevanceTrainer } from './relevance-trainer';

// Four batches at a time: with two, Node and Postgres often waited on each other (a batch spends half its time in
// each); four keep both busy, about 1.2x the throughput at 100k listings. Races between them are the merge's job.
@Processor(QueueName.Classify, { concurrency: 4 })
export class ClassifyProcessor extends WorkerHost {
  private readonly logger = new Logger(ClassifyProcessor.name);
  private readonly errors = new QueueErrorReporter(`${ClassifyProcessor.name} worker`);

  constructor(
    private readonly classifier: ClassifierService,
    private readonly trainer: RelevanceTrainer,
  ) {
    super();
  }

  async process(
    job: Job<JobData<JobName.ListingsClassify> | JobData<JobName.RelevanceTrain>>,
    token?: string,
  ): Promise<BatchSummary | { terms: number }> {
    switch (job.name as JobName) {
      case JobName.RelevanceTrain: {
        const { subscriptionId } = job.data as JobData<JobName.RelevanceTrain>;
        return runJob(job, token, async () => ({
          terms: (await this.trainer.train(subscriptionId))?.terms.length ?? 0,
        }));
      }
      case JobName.ListingsClassify:
        return runJob(job, token, async () => {
          const { listingIds } = job.data as JobData<JobName.ListingsClassify>;
          const summary = summarise(await this.classifier.classifyBatch(listingIds));
          if (summary.missing > 0) {
            this.logger.warn(`${job.id}: ${summary.missing} of ${listingIds.length} listings do not exist`);
          }
          return summary;
        });
      default:
        throw new UnrecoverableError(`No handler for job ${job.name} on queue ${QueueName.Classify}`);
    }
  }

  /** Redis trouble and jobs whose keys Redis lost: one log line per condition, not a stack per event. */
  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.errors.report(error);
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, error: Error): void {
    this.logger.warn(`${job?.name} ${job?.id} attempt ${job?.attemptsMade}: ${error.message}`);
  }
}
