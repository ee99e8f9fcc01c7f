import { Injectable } from '@nestjs/common';
import { DigestRepository, SubscriptionRepository } from '@libs/database';
import { DEFAULT_LOOKBACK_DAYS, PermanentError } from '@libs/domain';
import { JobName, JobProducer } from '@libs/queues';

const DAY = 24 * 3600 * 1000;

/** Builds a claimed digest (papers + one delivery per channel) and queues its deliveries. */
@Injectable()
export class DigestBuilderService {
  constructor(
    private readonly digests: DigestRepository,
    private readonly subscriptions: SubscriptionRepository,
    private readonly producer: JobProducer,
  ) {}

  /** Builds as of the instant the digest was planned for, so a re-run picks the same papers. */
  async build(digestId: string): Promise<void> {
    const digest = await this.digests.findById(digestId);
    if (!digest) {
      throw new PermanentError(`Digest ${digestId} does not exist`);
    }
    const subscription = await this.subscriptions.findById(digest.subscriptionId);
    if (!subscription) {
      throw new PermanentError(`Subscription ${digest.subscriptionId} of digest ${digestId} does not exist`);
    }
    const lookbackDays = DEFAULT_LOOKBACK_DAYS[subscription.frequency === 'weekly' ? 'weekly' : 'daily'];
    const asOf = digest.plannedFor;
    const built = await this.digests.build(
      digestId,
      { listedAfter: new Date(asOf.getTime() - lookbackDays * DAY), listedUntil: asOf },
      new Date(),
    );
    // Also on a re-run: a delivery whose job was lost after the build committed is queued again.
    await this.producer.enqueueMany(
      JobName.DeliverySend,
      built.deliveryIds.map((deliveryId) => ({ deliveryId })),
    );
  }
}
