import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ListingRepository } from '@libs/database';
import { Clock } from '@libs/domain';
import { classifyBatches, JobName, JobProducer } from '@libs/queues';

/** How often the fetcher looks for listings whose classify job was lost, and how old such a listing must be. */
export const RECONCILE_EVERY_MS = 10 * 60 * 1000;

/**
 * Re-queues listings stored a while ago and still unclassified: their job was lost (Redis restart, crash) or
 * failed for good (a long database outage). It runs on its own tick, not on the fetch path, so a source that
 * is never fetched again still gets its listings classified. Listings go in batches of their sorted ids
 * (classifyBatches), whose job ids repeat, so every replica's tick queues the same batch once while it lives.
 */
@Injectable()
export class ListingReconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ListingReconciler.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly listings: ListingRepository,
    private readonly producer: JobProducer,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), RECONCILE_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /**
   * Re-queues the listings fetched before `fetchedBefore` and not classified yet; how many. `requeue` replaces
   * a finished job, which a plain add with the same id would silently keep.
   */
  async requeueUnclassified(fetchedBefore: Date): Promise<number> {
    const ids = await this.listings.findUnclassifiedIds(fetchedBefore);
    for (const batch of classifyBatches(ids)) {
      await this.producer.requeue(JobName.ListingsClassify, batch);
    }
    return ids.length;
  }

  private async tick(): Promise<void> {
    try {
      const requeued = await this.requeueUnclassified(new Date(this.clock.now().getTime() - RECONCILE_EVERY_MS));
      if (requeued > 0) {
        this.logger.warn(`Re-queued ${requeued} listing(s) left unclassified for classification`);
      }
    } catch (error) {
      this.logger.error(
        `Could not re-queue unclassified listings: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
