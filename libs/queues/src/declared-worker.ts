import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnModuleInit } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { runJob } from './job-errors';
import { JobData, JobName, jobsOf, JobsOf, QueueName } from './queue-contract';
import { QueueErrorReporter } from './queue-errors';

/** What a worker runs for one job name: the typed payload in, the job's result out. */
export type JobHandler<N extends JobName> = (data: JobData<N>, job: Job<JobData<N>>) => Promise<unknown>;

/** One handler per job name of a queue: a missing or extra one is a compile error. */
export type QueueHandlers<Q extends QueueName> = { [N in JobsOf<Q>]: JobHandler<N> };

/**
 * A queue's worker as a declaration: each subclass lists one handler per job name of its queue and
 * nothing else. The map is checked again at boot against the queue contract (a handler map built at
 * run time could still miss one), so a worker never starts on a queue it cannot serve entirely.
 * Domain errors are mapped at the boundary by runJob; Redis trouble is logged once per condition.
 */
export abstract class DeclaredWorker<Q extends QueueName> extends WorkerHost implements OnModuleInit {
  protected readonly logger = new Logger(this.constructor.name);
  private readonly errors = new QueueErrorReporter(`${this.constructor.name} worker`);

  protected constructor(private readonly queueName: Q) {
    super();
  }

  /** The handler of each job name of the queue. */
  protected abstract readonly handlers: QueueHandlers<Q>;

  onModuleInit(): void {
    assertHandlesEvery(this.queueName, this.handlers);
  }

  async process(job: Job, token?: string): Promise<unknown> {
    if (!job.name) {
      // BullMQ hands out a job id still queued after its keys were removed (Queue.drain while a job
      // scheduler's job waits leaves some behind): no name, no data, nothing to run.
      throw new UnrecoverableError(
        `Job ${job.id} on queue ${this.queueName} has no name or data: its keys were removed while it was queued`,
      );
    }
    const handler = (this.handlers as unknown as Partial<Record<string, JobHandler<JobName>>>)[job.name];
    if (!handler) {
      throw new UnrecoverableError(`No handler for job ${job.name} on queue ${this.queueName}`);
    }
    return runJob(job, token, () => handler(job.data as JobData<JobName>, job as Job<JobData<JobName>>));
  }

  /** Redis trouble and jobs whose keys Redis lost: one log line per condition, not a stack per event. */
  @OnWorkerEvent('error')
  onWorkerError(error: Error): void {
    this.errors.report(error);
  }

  @OnWorkerEvent('failed')
  onJobFailed(job: Job | undefined, error: Error): void {
    this.logger.warn(
      `${job?.name || 'A job without a name'} ${job?.id} attempt ${job?.attemptsMade}: ${error.message}`,
    );
  }
}

/** Throws, naming them, when a handler map misses a job name of its queue or has one of another queue. */
export function assertHandlesEvery(queue: QueueName, handlers: object): void {
  const declared = new Set(Object.keys(handlers));
  const expected = jobsOf(queue);
  const missing = expected.filter((name) => !declared.has(name));
  const foreign = [...declared].filter((name) => !expected.includes(name as JobName));
  if (missing.length > 0 || foreign.length > 0) {
    const problems = [
      missing.length > 0 ? `no handler for ${missing.join(', ')}` : '',
      foreign.length > 0 ? `handlers for jobs of other queues: ${foreign.join(', ')}` : '',
    ].filter(Boolean);
    throw new Error(`The worker of queue "${queue}" cannot start: ${problems.join('; ')}`);
  }
}
