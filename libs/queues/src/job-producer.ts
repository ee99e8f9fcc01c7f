import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Job, JobsOptions, Queue } from 'bullmq';
import { jobOptionsFor } from './job-options';
import { QueueErrorReporter } from './queue-errors';
import { withTrace } from './job-telemetry';
import { JOB_QUEUE, JobData, JobName, QueueName } from './queue-contract';

/** The only way code puts work on a queue: typed payloads, per-kind options, the current trace id (job-telemetry.ts). */
@Injectable()
export class JobProducer {
  private readonly queues: Record<QueueName, Queue>;

  constructor(
    @InjectQueue(QueueName.Fetch) fetch: Queue,
    @InjectQueue(QueueName.Classify) classify: Queue,
    @InjectQueue(QueueName.Notify) notify: Queue,
  ) {
    this.queues = { [QueueName.Fetch]: fetch, [QueueName.Classify]: classify, [QueueName.Notify]: notify };
    const errors = new QueueErrorReporter('Queues');
    Object.values(this.queues).forEach((queue) => errors.watch(queue));
  }

  queue(name: QueueName): Queue {
    return this.queues[name];
  }

  async enqueue<N extends JobName>(name: N, data: JobData<N>, overrides: JobsOptions = {}): Promise<Job> {
    return this.queues[JOB_QUEUE[name]].add(name, data, withTrace({ ...jobOptionsFor(name, data), ...overrides }));
  }

  async enqueueMany<N extends JobName>(name: N, items: JobData<N>[]): Promise<void> {
    if (items.length === 0) {
      return;
    }
    await this.queues[JOB_QUEUE[name]].addBulk(
      items.map((data) => ({ name, data, opts: withTrace(jobOptionsFor(name, data)) })),
    );
  }

  /**
   * Queues work again after Redis lost it or its job finished without doing it (the reconciler's
   * path): a finished job with the same id would otherwise swallow the add.
   */
  async requeue<N extends JobName>(name: N, data: JobData<N>): Promise<void> {
    const options = withTrace(jobOptionsFor(name, data));
    const queue = this.queues[JOB_QUEUE[name]];
    if (options.jobId) {
      const existing = await queue.getJob(options.jobId);
      if (existing) {
        const state = await existing.getState();
        if (state !== 'completed' && state !== 'failed') {
          return;
        }
        await existing.remove();
      }
    }
    await queue.add(name, data, options);
  }
}
