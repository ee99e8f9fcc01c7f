import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { JobData, JobName, JobResults, QueueName, runJob, QueueErrorReporter } from '@libs/queues';
import { SourceFetcherService } from './source-fetcher.service';

@Processor(QueueName.Fetch, { concurrency: 2 })
export class FetchProcessor extends WorkerHost {
  private readonly logger = new Logger(FetchProcessor.name);
  private readonly errors = new QueueErrorReporter(`${FetchProcessor.name} worker`);

  constructor(private readonly fetcher: SourceFetcherService) {
    super();
  }

  async process(
    job: Job<JobData<JobName.SourceFetch> | JobData<JobName.SourceLookup>>,
    token?: string,
  ): Promise<JobResults[JobName.SourceFetch | JobName.SourceLookup]> {
    switch (job.name as JobName) {
      case JobName.SourceFetch: {
        const { sourceId, date } = job.data as JobData<JobName.SourceFetch>;
        return runJob(job, token, () => this.fetcher.fetch(sourceId, date));
      }
      case JobName.SourceLookup: {
        const { sourceId, arxivIds } = job.data as JobData<JobName.SourceLookup>;
        return runJob(job, token, () => this.fetcher.lookup(sourceId, arxivIds));
      }
      default:
        throw new UnrecoverableError(`No handler for job ${job.name} on queue ${QueueName.Fetch}`);
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
