import { Injectable } from '@nestjs/common';
import { ProfileRepository } from '@libs/database';
import { Clock } from '@libs/domain';
import { JobName, JobProducer } from '@libs/queues';

/** A seed paper arXiv has not answered for in this long is given up (docs/relevance.md). */
export const PENDING_SEED_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

/**
 * Seed papers a subscriber asked for before Paperboy knew them (the api queued a SourceLookup for them) become
 * seed up-votes once a classify batch made their paper, and the subscriber's model is trained again.
 */
@Injectable()
export class PendingSeedResolver {
  constructor(
    private readonly profiles: ProfileRepository,
    private readonly producer: JobProducer,
    private readonly clock: Clock,
  ) {}

  /**
   * Idempotent: a resolved seed leaves the pending ones, a paper already voted on keeps its vote, and the
   * training is debounced per subscriber. Returns the subscriptions that got a seed. `now` is the injected
   * clock's, as the api's when it stored the seeds' requestedAt (CLOCK_START moves both).
   */
  async resolve(now: Date = this.clock.now()): Promise<string[]> {
    const seeded = await this.profiles.resolvePendingSeeds(now, new Date(now.getTime() - PENDING_SEED_MAX_AGE_MS));
    for (const subscriptionId of seeded) {
      await this.producer.enqueue(JobName.RelevanceTrain, { subscriptionId });
    }
    return seeded;
  }
}
