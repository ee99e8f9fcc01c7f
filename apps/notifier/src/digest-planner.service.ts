import { Injectable, Logger } from '@nestjs/common';
import { Settings } from '@libs/config';
import { DeliveryRepository, DigestClaim, DigestRepository, SubscriptionRepository } from '@libs/database';
import { nextPlanningAt, periodsToClaim } from '@libs/domain';
import { JobName, JobProducer } from '@libs/queues';

const PAGE_SIZE = 1000;
/** A paused subscription has nothing to plan until its schedule changes, which resets its planAt. */
const UNTIL_CHANGED = new Date('9999-12-31T00:00:00Z');

/**
 * The scheduler tick: claims one digest per (subscription, due period) and queues its build, a page
 * of subscriptions at a time. It reads only the subscriptions whose planAt has come (or was reset by a
 * change of schedule), and sets it to their next send time once their due periods are claimed, so a
 * tick costs nothing for subscribers with nothing due. The period before the current one is claimed
 * too, in case no tick ran while it was due; when the current one is due as well, the missed one is
 * recorded as merged and its papers go in the current digest. What is owed is decided by periodsToClaim from the
 * subscription's last digests, read with the page. It also sweeps for work whose job was lost, so Postgres,
 * not Redis, decides what is still owed.
 */
@Injectable()
export class DigestPlannerService {
  private readonly logger = new Logger(DigestPlannerService.name);

  constructor(
    private readonly settings: Settings,
    private readonly subscriptions: SubscriptionRepository,
    private readonly digests: DigestRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly producer: JobProducer,
  ) {}

  async planDue(now: Date): Promise<{ digestIds: string[] }> {
    const digestIds: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await this.subscriptions.findDuePage(now, after, PAGE_SIZE);
      if (page.length === 0) {
        break;
      }
      after = page[page.length - 1].id;
      const claims: DigestClaim[] = [];
      for (const subscription of page) {
        const activatedAt = subscription.activatedAt ?? subscription.createdAt;
        const periods = periodsToClaim(
          subscription,
          {
            activatedAt,
            unchangedSince: new Date(Math.max(activatedAt.getTime(), subscription.updatedAt.getTime())),
            recent: subscription.recentDigests,
          },
          now,
        );
        for (const period of periods) {
          // A period no tick saw due (the notifier was down across its end) is built as of its send time,
          // or, when the current one is due too, recorded as merged into it.
          claims.push({
            subscriptionId: subscription.id,
            periodKey: period.key,
            dueAt: period.dueAt,
            plannedFor: period.catchUp ? period.dueAt : now,
            merged: period.merged === true,
          });
        }
      }
      const claimed = await this.digests.claim(claims);
      await this.producer.enqueueMany(
        JobName.DigestBuild,
        claimed.map((digestId) => ({ digestId })),
      );
      // After the claims: a tick that fails before this point leaves planAt as it was, to be tried again.
      await this.subscriptions.setPlanAt(
        page.map((subscription) => ({ subscription, at: nextPlanningAt(subscription, now) ?? UNTIL_CHANGED })),
      );
      digestIds.push(...claimed);
    }
    await this.requeueLostWork();
    if (digestIds.length > 0) {
      this.logger.log(`${digestIds.length} digest(s) due at ${now.toISOString()}`);
    }
    return { digestIds };
  }

  /**
   * A build or send not done after NOTIFIER_STALE_AFTER_SECONDS lost its job (Redis restarted or was
   * flushed) and is queued again; a send claimed twice as long ago belongs to a worker that died mid-send.
   */
  private async requeueLostWork(): Promise<void> {
    const lostAfter = this.settings.NOTIFIER_STALE_AFTER_SECONDS;
    for (const digestId of await this.digests.findStalePending(lostAfter)) {
      await this.producer.requeue(JobName.DigestBuild, { digestId });
    }
    const deliveries = await this.deliveries.findStaleDeliveries(lostAfter, 2 * lostAfter);
    for (const deliveryId of deliveries) {
      await this.producer.requeue(JobName.DeliverySend, { deliveryId });
    }
  }
}
