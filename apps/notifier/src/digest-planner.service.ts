import { Injectable, Logger } from '@nestjs/common';
import { DigestClaim, DigestRepository, SubscriptionRepository } from '@libs/database';
import { duePeriod } from '@libs/domain';
import { JobName, JobProducer } from '@libs/queues';

const MINUTE = 60_000;
/** A build or send job not done after this long was lost (Redis restart, flush) and is queued again. */
const LOST_AFTER = 5 * MINUTE;
/** A send claimed this long ago without an outcome belongs to a worker that died mid-send. */
const CLAIM_TIMEOUT = 10 * MINUTE;
const PAGE_SIZE = 1000;

/**
 * The scheduler tick: claims one digest per (subscription, due period) and queues its build, a page
 * of subscriptions at a time. It also sweeps for work whose job was lost, so Postgres, not Redis,
 * decides what is still owed.
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
    const digestIds: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await this.subscriptions.findActivePage(after, PAGE_SIZE);
      if (page.length === 0) {
        break;
      }
      after = page[page.length - 1].id;
      const claims: DigestClaim[] = [];
      for (const subscription of page) {
        const period = duePeriod(subscription, subscription.activatedAt ?? subscription.createdAt, now);
        if (period) {
          claims.push({ subscriptionId: subscription.id, periodKey: period.key, dueAt: period.dueAt });
        }
      }
      const claimed = await this.digests.claim(claims);
      await this.producer.enqueueMany(
        JobName.DigestBuild,
        claimed.map((digestId) => ({ digestId, now: now.toISOString() })),
      );
      digestIds.push(...claimed);
    }
    await this.requeueLostWork(Date.now());
    if (digestIds.length > 0) {
      this.logger.log(`${digestIds.length} digest(s) due at ${now.toISOString()}`);
    }
    return { digestIds };
  }

  private async requeueLostWork(clock: number): Promise<void> {
    for (const digestId of await this.digests.findStalePending(new Date(clock - LOST_AFTER))) {
      await this.producer.requeue(JobName.DigestBuild, { digestId });
    }
    const deliveries = await this.digests.findStaleDeliveries(new Date(clock - LOST_AFTER), new Date(clock - CLAIM_TIMEOUT));
    for (const deliveryId of deliveries) {
      await this.producer.requeue(JobName.DeliverySend, { deliveryId });
    }
  }
}
