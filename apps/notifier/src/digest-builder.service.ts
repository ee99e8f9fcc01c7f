import { Injectable, Logger } from '@nestjs/common';
import {
  BuiltDigest,
  DeliveryChannel,
  DeliveryRepository,
  DigestEntity,
  DigestRepository,
  PaperNote,
  SubscriptionEntity,
} from '@libs/database';
import { Clock, digestWindow, PermanentError, RetryLaterError } from '@libs/domain';
import { jobOptionsFor, JobName, JobProducer } from '@libs/queues';
import { DeliveryService } from './delivery.service';
import { DigestMatcher } from './digest-matcher';

interface Built {
  digest: DigestEntity;
  subscription: SubscriptionEntity;
  built: BuiltDigest;
  /** True when this call created the deliveries already claimed for sending. */
  claimed: boolean;
  /** What this call recorded of the papers (explore marks, why sentences); null when it built nothing. */
  notes: ReadonlyMap<string, PaperNote> | null;
}

/**
 * Builds a claimed digest (its papers and one delivery per channel) and sends it. The DigestBuild job
 * does both, so a digest costs one job: the deliveries are created claimed, sent, and finished. A send
 * that fails transiently, or a webhook that is busy, goes on in a DeliverySend job of its own.
 */
@Injectable()
export class DigestBuilderService {
  private readonly logger = new Logger(DigestBuilderService.name);

  constructor(
    private readonly digests: DigestRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly matcher: DigestMatcher,
    private readonly delivery: DeliveryService,
    private readonly producer: JobProducer,
    private readonly clock: Clock,
  ) {}

  /** Builds as of the instant the digest was planned for, so a re-run picks the same papers; deliveries stay pending. */
  async build(digestId: string): Promise<BuiltDigest> {
    return (await this.record(digestId, false)).built;
  }

  /** The DigestBuild job: builds the digest, then sends each delivery still to be sent. */
  async buildAndSend(digestId: string): Promise<void> {
    const { digest, subscription, built, claimed, notes } = await this.record(digestId, true);
    for (const delivery of built.deliveries) {
      // A re-run finds the deliveries of the first run: pending ones are claimed here; a claim held by
      // another worker (or a dead one, released by the sweep) is not ours to send.
      const mine = claimed
        ? delivery
        : delivery.status === 'pending'
          ? await this.deliveries.claimDelivery(delivery.id)
          : null;
      if (!mine) {
        continue;
      }
      const context = {
        digest: { ...digest, omittedCount: built.omittedCount },
        subscription,
        paperIds: built.paperIds,
        notes,
      };
      try {
        await this.delivery.sendClaimed({ partsSent: 0, attempts: 1, ...mine }, context);
      } catch (error) {
        await this.retryLater(mine.id, error);
      }
    }
  }

  private async retryLater(deliveryId: string, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof PermanentError) {
      this.logger.warn(`delivery ${deliveryId} failed: ${message}`);
      return;
    }
    const delay = error instanceof RetryLaterError ? error.delayMs : firstBackoffMs(deliveryId);
    this.logger.warn(`delivery ${deliveryId} will be retried in ${Math.round(delay / 1000)} s: ${message}`);
    await this.producer.enqueue(JobName.DeliverySend, { deliveryId }, { delay });
  }

  private async record(digestId: string, claim: boolean): Promise<Built> {
    const found = await this.digests.findWithSubscription(digestId);
    if (!found) {
      throw new PermanentError(`Digest ${digestId} or its subscription does not exist`);
    }
    const { digest, subscription, previousEnd } = found;
    if (digest.status !== 'pending') {
      return { digest, subscription, built: await this.digests.builtState(digestId), claimed: false, notes: null };
    }
    // Cancelled or paused since the claim: nothing is owed for this period.
    const wanted = subscription.status === 'active' && subscription.frequency !== 'paused';
    // From where the previous digest's window ended, so a long gap between two digests loses nothing.
    const window = digestWindow(subscription.frequency, digest.plannedFor, previousEnd, subscription.resumedAt);
    const { paperIds, notes } = wanted
      ? await this.matcher.rank(subscription, window)
      : { paperIds: [], notes: undefined };
    const built = await this.digests.build(
      digest,
      { paperIds, notes, maxPapers: subscription.maxPapers, channels: channelsOf(subscription), claim },
      this.clock.now(),
    );
    return built
      ? { digest, subscription, built, claimed: claim, notes: notes ?? new Map() }
      : { digest, subscription, built: await this.digests.builtState(digestId), claimed: false, notes: null };
  }
}

/** The wait before a delivery job's first retry, had the job made the failed attempt itself. */
function firstBackoffMs(deliveryId: string): number {
  const { backoff } = jobOptionsFor(JobName.DeliverySend, { deliveryId });
  const { delay = 0, jitter = 0 } = typeof backoff === 'object' ? backoff : { delay: backoff };
  return Math.round(delay * (1 - Math.random() * jitter));
}

/** The push channels a digest goes to; the personal feed needs none, it reads the digest's papers. */
function channelsOf(subscription: SubscriptionEntity): DeliveryChannel[] {
  const channels: DeliveryChannel[] = [];
  if (subscription.email && !subscription.emailSuppressedAt) {
    channels.push('email');
  }
  if (subscription.slackWebhookUrl && !subscription.slackDisabledAt) {
    channels.push('slack');
  }
  return channels;
}
