import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { JobName, jobOptionsFor, QueueName, RETENTION } from '@libs/queues';

export const DIGEST_TICK_SCHEDULER = 'digest-tick';
export const LEDGER_PRUNE_SCHEDULER = 'ledger-prune';
const TICK_EVERY_MS = 60_000;
const PRUNE_EVERY_MS = 3600_000;

/**
 * One BullMQ job scheduler drives every digest: each minute a DigestQueueAll job claims what is due.
 * Upserting the same id from several replicas leaves one scheduler; the claim is idempotent anyway.
 * The scheduler lives in Redis: if Redis loses it (flushed, restarted empty), it is put back within a
 * minute, or no tick, and no sweep of lost work, would ever run again.
 */
@Injectable()
export class DigestScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DigestScheduler.name);
  private keeper?: NodeJS.Timeout;

  constructor(@InjectQueue(QueueName.Notify) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.upsert();
    this.keeper = setInterval(() => void this.restoreIfLost(), TICK_EVERY_MS);
    this.keeper.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.keeper);
  }

  async restoreIfLost(): Promise<void> {
    try {
      if (
        !(await this.queue.getJobScheduler(DIGEST_TICK_SCHEDULER)) ||
        !(await this.queue.getJobScheduler(LEDGER_PRUNE_SCHEDULER))
      ) {
        this.logger.warn('A notifier job scheduler was missing from Redis: restoring it');
        await this.upsert();
      }
    } catch (error) {
      this.logger.error(`Could not check the digest tick scheduler: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async upsert(): Promise<void> {
    await this.queue.upsertJobScheduler(
      DIGEST_TICK_SCHEDULER,
      { every: TICK_EVERY_MS },
      // The queue's usual retention: a count here would trim every completed job of the queue, not only ticks.
      { name: JobName.DigestQueueAll, data: {}, opts: RETENTION },
    );
    // The ledger's retention (RETENTION_DAYS): hourly, so each run removes about an hour's worth.
    await this.queue.upsertJobScheduler(
      LEDGER_PRUNE_SCHEDULER,
      { every: PRUNE_EVERY_MS },
      { name: JobName.LedgerPrune, data: {}, opts: jobOptionsFor(JobName.LedgerPrune, {}) },
    );
  }
}
