import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bullmq';
import { JobName, QueueName, RETENTION } from '@libs/queues';

export const DIGEST_TICK_SCHEDULER = 'digest-tick';
const TICK_EVERY_MS = 60_000;

/**
 * One BullMQ job scheduler drives every digest: each minute a DigestQueueAll job claims what is due.
 * Upserting the same id from several replicas leaves one scheduler; the claim is idempotent anyway.
 */
@Injectable()
export class DigestScheduler implements OnApplicationBootstrap {
  constructor(@InjectQueue(QueueName.Notify) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler(
      DIGEST_TICK_SCHEDULER,
      { every: TICK_EVERY_MS },
      // The queue's usual retention: a count here would trim every completed job of the queue, not only ticks.
      { name: JobName.DigestQueueAll, data: {}, opts: RETENTION },
    );
  }
}
