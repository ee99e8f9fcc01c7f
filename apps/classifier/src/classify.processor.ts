import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { JobData, JobName, QueueName, runJob } from '@libs/queues';
import { ClassifierService, ClassifyOutcome } from './classifier.service';

@Processor(QueueName.Classify, { concurrency: 4 })
export class ClassifyProcessor extends WorkerHost {
  private readonly logger = new Logger(ClassifyProcessor.name);

  constructor(private readonly classifier: ClassifierService) {
    super();
  }

  async process(job: Job<JobData<JobName.ListingClassify>>, token?: string): Promise<ClassifyOutcome> {
    switch (job.name as JobName) {
      case JobName.ListingClassify:
        return runJob(job, token, () => this.classifier.classifyListing(job.data.listingId));
      default:
        throw new UnrecoverableError(`No handler for job ${job.name} on queue ${QueueName.Classify}`);
    }
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, error: Error): void {
    this.logger.warn(`${job?.name} ${job?.id} attempt ${job?.attemptsMade}: ${error.message}`);
  }
}
