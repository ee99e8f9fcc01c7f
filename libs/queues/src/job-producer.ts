import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
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
    @InjectQueue(QueueName.Embed) embed: Queue,
  ) {
    this.queues = {
      [QueueName.Fetch]: fetch,
      [QueueName.Classify]: classify,
      [QueueName.Notify]: notify,
      [QueueName.Embed]: embed,
    };
    const errors = new QueueErrorReporter('Queues');
    Object.values(this.queues).forEach((queue) => errors.watch(queue));
  }

  queue(name: QueueName): Queue {
    return this.queues[name];
  }

  async enqueue<N extends JobName>(name: N, data: JobData<N>, overrides: JobsOptions = {}): Promise<Job> {
    const options = identified(name, deduplicated({ ...jobOptionsFor(name, data), ...overrides }));
    return this.queues[JOB_QUEUE[name]].add(name, data, withTrace(options));
  }

  async enqueueMany<N extends JobName>(name: N, items: JobData<N>[]): Promise<void> {
    if (items.length === 0) {
      return;
    }
    await this.queues[JOB_QUEUE[name]].addBulk(
      items.map((data) => ({ name, data, opts: withTrace(identified(name, deduplicated(jobOptionsFor(name, data)))) })),
    );
  }

  /**
   * Queues work again after Redis lost it or its job finished without doing it (the sweep's path). A
   * job id of its own gets past a finished job kept under the usual id; BullMQ's deduplication on the
   * usual id makes it a no-op, atomically, while any job of that work is still waiting, delayed or active.
   */
  async requeue<N extends JobName>(name: N, data: JobData<N>): Promise<void> {
    const options = deduplicated(jobOptionsFor(name, data));
    const jobId = `${options.jobId ?? name}-again-${randomUUID()}`;
    await this.queues[JOB_QUEUE[name]].add(name, data, withTrace({ ...options, jobId }));
  }
}

/** At most one live job per piece of work: the job id doubles as the deduplication id. */
function deduplicated(options: JobsOptions): JobsOptions {
  return options.jobId && !options.deduplication ? { ...options, deduplication: { id: options.jobId } } : options;
}

/**
 * Every add names its job before it leaves: a command ioredis sends again after a failover (the old master
 * took it and died before answering, or the cluster said MOVED) then finds the job there and adds nothing.
 * BullMQ's own ids come from a counter in Redis, which makes each resend a new job. Work with an identity has
 * its id from jobOptionsFor; the rest (a debounced training) gets one id per call.
 */
function identified(name: JobName, options: JobsOptions): JobsOptions {
  return options.jobId ? options : { ...options, jobId: `${name}-${randomUUID()}` };
}
