import { Job, UnrecoverableError } from 'bullmq';
import { assertHandlesEvery, DeclaredWorker, QueueHandlers } from './declared-worker';
import { JobName, QueueName } from './queue-contract';

class FetchWorker extends DeclaredWorker<QueueName.Fetch> {
  readonly seen: string[] = [];
  protected readonly handlers: QueueHandlers<QueueName.Fetch> = {
    [JobName.SourceFetch]: async ({ sourceId, date }) => this.seen.push(`fetch ${sourceId} ${date}`),
    [JobName.SourceLookup]: async ({ sourceId, arxivIds }) => this.seen.push(`lookup ${sourceId} ${arxivIds.join()}`),
  };

  constructor() {
    super(QueueName.Fetch);
  }
}

const job = (name: string, data: unknown): Job => ({ name, data, id: '1', opts: {} }) as unknown as Job;

describe('DeclaredWorker', () => {
  it('should run the handler declared for the job name with its payload', async () => {
    const worker = new FetchWorker();
    worker.onModuleInit();
    await worker.process(job(JobName.SourceLookup, { sourceId: 'arxiv', arxivIds: ['2601.00001'] }));
    await worker.process(job(JobName.SourceFetch, { sourceId: 'hf', date: '2026-11-18' }));
    expect(worker.seen).toEqual(['lookup arxiv 2601.00001', 'fetch hf 2026-11-18']);
  });

  it('should fail a job of a name it does not declare for good, not retry it', async () => {
    await expect(new FetchWorker().process(job('DigestBuild', { digestId: 'x' }))).rejects.toThrow(
      new UnrecoverableError('No handler for job DigestBuild on queue fetch'),
    );
  });

  it('should fail a job whose keys were removed (no name, no data) for good, saying so', async () => {
    const worker = new FetchWorker();
    await expect(worker.process(job(undefined as unknown as string, undefined))).rejects.toThrow(
      new UnrecoverableError('Job 1 on queue fetch has no name or data: its keys were removed while it was queued'),
    );
    expect(worker.seen).toEqual([]);
  });
});

describe('assertHandlesEvery', () => {
  it("should refuse to start a worker missing a job of its queue, or handling another queue's", () => {
    expect(() => assertHandlesEvery(QueueName.Fetch, { [JobName.SourceFetch]: () => undefined })).toThrow(
      'The worker of queue "fetch" cannot start: no handler for SourceLookup',
    );
    expect(() =>
      assertHandlesEvery(QueueName.Classify, {
        [JobName.ListingsClassify]: () => undefined,
        [JobName.RelevanceTrain]: () => undefined,
        [JobName.DigestBuild]: () => undefined,
      }),
    ).toThrow('The worker of queue "classify" cannot start: handlers for jobs of other queues: DigestBuild');
    expect(() =>
      assertHandlesEvery(QueueName.Classify, {
        [JobName.ListingsClassify]: () => undefined,
        [JobName.RelevanceTrain]: () => undefined,
      }),
    ).not.toThrow();
  });
});
