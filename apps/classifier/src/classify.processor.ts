import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { JobData, JobName, QueueName, runJob, QueueErrorReporter } from '@libs/queues';
import { BatchSummary, ClassifierService, summarise } from './classifier.service';

// Four batches at a time: with two, Node and Postgres often waited on each other (a batch spends half its time in
// each); four keep both busy, about 1.2x the throughput at 100k listings. Races between them are the merge's job.
@Processor(QueueName.Classify, { concurrency: 4 })
export class ClassifyProcessor extends WorkerHost {
  private readonly logger = new Logger(ClassifyProcessor.name);
  private readonly errors = new QueueErrorReporter(`${ClassifyProcessor.name} worker`);

  constructor(private readonly classifier: ClassifierService) {
    super();
  }

  async process(job: Job<JobData<JobName.ListingsClassify>>, token?: string): Promise<BatchSummary> {
    switch (job.name as JobName) {
      case JobName.ListingsClassify:
        return runJob(job, token, async () => {
          const summary = summarise(await this.classifier.classifyBatch(job.data.listingIds));
          if (summary.missing > 0) {
            this.logger.warn(`${job.id}: ${summary.missing} of ${job.data.listingIds.length} listings do not exist`);
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
