import { Processor } from '@nestjs/bullmq';
import { DeclaredWorker, JobName, QueueHandlers, QueueName } from '@libs/queues';
import { SourceFetcherService } from './source-fetcher.service';

@Processor(QueueName.Fetch, { concurrency: 2 })
export class FetchProcessor extends DeclaredWorker<QueueName.Fetch> {
  protected readonly handlers: QueueHandlers<QueueName.Fetch> = {
    [JobName.SourceFetch]: ({ sourceId, date }) => this.fetcher.fetch(sourceId, date),
    [JobName.SourceLookup]: ({ sourceId, arxivIds }) => this.fetcher.lookup(sourceId, arxivIds),
  };

  constructor(private readonly fetcher: SourceFetcherService) {
    super(QueueName.Fetch);
  }
}
