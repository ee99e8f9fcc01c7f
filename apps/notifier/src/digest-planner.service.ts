import { Injectable, Logger } from '@nestjs/common';
import { DigestClaim, DigestRepository, SubscriptionRepository } from '@libs/database';
import { duePeriod } from '@libs/domain';
import { JobName, JobProducer } from '@libs/queues';

const MINUTE = 60_000;
/** A build or send job not done after this long was lost (Redis restart, crash) and is queued again. */
const STALE_AFTER = 5 * MINUTE;

/**
 * The scheduler tick: claims one digest per (subscription, due period) and queues its build.
 * It also re-queues work whose job was lost, so Postgres, not Redis, decides what is still owed.
 */
@Injectable()
export class DigestPlannerService {
  private readonly logger = new Logger(DigestPlannerService.name);

  constructor(
    private readonly subscriptions: SubscriptionRepository,
    private readonly digests: DigestRepository,
    private readonly producer: JobProducer,
  ) {}

  async planDue(now: Date): Promise<{ digestIds: string[] }> {
    const claims: DigestClaim[] = [];
    for (const subscription of await this.subscriptions.findActive()) {
      const period = duePeriod(subscription, subscription.activatedAt ?? subscription.createdAt, now);
      if (period) {
        claims.push({ subscriptionId: subscription.id, periodKey: period.key, dueAt: period.dueAt });
      }
    }
    const digestIds = await this.digests.claim(claims);
    await this.producer.enqueueMany(
      JobName.DigestBuild,
      digestIds.map((digestId) => ({ digestId, now: now.toISOString() })),
    );
    await this.requeueLostWork(new Date(Date.now() - STALE_AFTER));
    if (digestIds.length > 0) {
      this.logger.log(`${digestIds.length} digest(s) due at ${now.toISOString()}`);
    }
    return { digestIds };
  }

  private async requeueLostWork(olderThan: Date): Promise<void> {
    for (const digestId of await this.digests.findStalePending(olderThan)) {
      await this.producer.requeue(JobName.DigestBuild, { digestId });
    }
    for (const deliveryId of await this.digests.findStaleDeliveries(olderThan)) {
      await this.producer.requeue(JobName.DeliverySend, { deliveryId });
    }
  }
}
