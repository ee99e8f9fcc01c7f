import { Injectable, Logger } from '@nestjs/common';
import { Settings } from '@libs/config';
import {
  DeliveryEntity,
  DeliveryRepository,
  DigestEntity,
  DigestRepository,
  PaperNote,
  PaperRepository,
  SubscriptionEntity,
  SubscriptionRepository,
} from '@libs/database';
import {
  buildDigestView,
  Clock,
  digestLinks,
  DigestView,
  paperVoteLinks,
  PermanentError,
  RetryLaterError,
  SecretBox,
} from '@libs/domain';
import { MailBusyError, MailRejectedError } from '@libs/mail';
import { DELIVERY_RATE_LIMITED_GIVE_UP_MS, DELIVERY_SEND_ATTEMPTS } from '@libs/queues';
import { EmailChannel } from './channels/email.channel';
import { PaperCache } from './paper-cache';
import { PaperViews } from './paper-views';
import { SlackChannel, SlackChannelGoneError, WebhookBusyError } from './channels/slack.channel';

/**
 * The parts of a claimed delivery row a send needs. A delivery claimed by the build that created it has
 * no 429 counted yet (`rateLimited` 0) and was created now.
 */
export type ClaimedDelivery = Pick<DeliveryEntity, 'id' | 'channel' | 'attempts' | 'partsSent'> &
  Partial<Pick<DeliveryEntity, 'rateLimited' | 'createdAt'>>;

export interface DeliveryContext {
  digest: Pick<DigestEntity, 'id' | 'periodKey' | 'omittedCount'>;
  subscription: SubscriptionEntity;
  /** The digest's papers in order, or null to read them from the ledger. */
  paperIds: string[] | null;
  /** Their explore marks and why sentences as the build recorded them, or null (or absent) to read them. */
  notes?: ReadonlyMap<string, PaperNote> | null;
}

/**
 * Sends one channel's delivery of a digest. The ledger row is claimed before sending, so a job run
 * twice sends once; a transient failure puts it back to pending for the job's retry. A hard bounce
 * counts against the address; a Slack webhook that is gone disables the channel.
 */
@Injectable()
export class DeliveryService {
  private readonly logger = new Logger(DeliveryService.name);
  private readonly secrets: SecretBox;
  // A fan-out sends the same day's papers to thousands: read each once a minute, not once per digest.
  private readonly paperCache: PaperCache;
  private readonly paperViews = new PaperViews();

  constructor(
    private readonly settings: Settings,
    private readonly digests: DigestRepository,
    private readonly subscriptions: SubscriptionRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly papers: PaperRepository,
    private readonly email: EmailChannel,
    private readonly slack: SlackChannel,
    private readonly clock: Clock,
  ) {
    this.secrets = new SecretBox(settings.APP_SECRET);
    this.paperCache = new PaperCache((ids) => this.papers.findWithTopics(ids), 60_000, 5_000);
  }

  async send(deliveryId: string): Promise<'sent' | 'skipped'> {
    const delivery = await this.deliveries.claimDelivery(deliveryId);
    if (!delivery) {
      return 'skipped';
    }
    let found: { digest: DigestEntity; subscription: SubscriptionEntity } | null;
    try {
      found = await this.digests.findWithSubscription(delivery.digestId);
    } catch (error) {
      throw await this.recordFailure(delivery, null, error);
    }
    if (!found) {
      throw await this.recordFailure(
        delivery,
        null,
        new PermanentError(`Delivery ${deliveryId} has lost its digest or subscription`),
      );
    }
    return this.sendClaimed(delivery, { ...found, paperIds: null });
  }

  /**
   * Sends a delivery this worker has claimed (by `send`, or by the build that created it) and records
   * the outcome. `paperIds` are the digest's papers when the caller has them (it just built the digest).
   */
  async sendClaimed(delivery: ClaimedDelivery, context: DeliveryContext): Promise<'sent'> {
    const { digest, subscription } = context;
    try {
      if (subscription.status !== 'active') {
        throw new PermanentError(`Subscription ${subscription.id} is ${subscription.status}; nothing sent`);
      }
      const view = await this.viewOf(context);
      const response = await this.deliver(delivery, digest, subscription, view);
      await this.deliveries.finishDelivery(
        delivery.id,
        { status: 'sent', providerResponse: response },
        this.clock.now(),
      );
      if (delivery.channel === 'email' && subscription.hardBounces > 0) {
        // The address accepted mail: the bounces that suppress it are consecutive ones.
        await this.subscriptions.resetHardBounces(subscription.id);
      }
      this.logger.log(`digest ${digest.id} sent by ${delivery.channel} (${view.papers.length} papers)`);
      return 'sent';
    } catch (error) {
      throw await this.recordFailure(delivery, subscription, error);
    }
  }

  /**
   * Records a failed send and returns the error to throw: the one given, or a PermanentError when the
   * ledger gave up on a delivery that was only being delayed (a 429 for too long), so its job stops.
   *
   * Attempts: a claim counts one. A wait for the webhook's own pacing (`WebhookBusyError`) or for the mail
   * relay's shared limits (`MailBusyError`) never reached Slack or the relay and is uncounted. A 429 (or an
   * SMTP 421/454 "slow down") is an attempt but not a failure: it is counted in `rateLimited`, and the
   * delivery keeps waiting until DELIVERY_RATE_LIMITED_GIVE_UP_MS after it was created. Other transient
   * errors give up after DELIVERY_SEND_ATTEMPTS failed attempts (attempts less 429s).
   */
  private async recordFailure(
    delivery: ClaimedDelivery,
    subscription: SubscriptionEntity | null,
    error: unknown,
  ): Promise<unknown> {
    const message = error instanceof Error ? error.message : String(error);
    const now = this.clock.now();
    if (subscription && error instanceof MailRejectedError) {
      const suppressed = await this.subscriptions.recordHardBounce(
        subscription.id,
        this.settings.MAIL_MAX_HARD_BOUNCES,
        now,
      );
      if (suppressed) {
        this.logger.warn(
          `subscription ${subscription.id}: email suppressed after ${this.settings.MAIL_MAX_HARD_BOUNCES} hard bounces`,
        );
      }
    }
    if (subscription && error instanceof SlackChannelGoneError) {
      await this.subscriptions.disableSlack(subscription.id, error.reason, now);
      this.logger.warn(`subscription ${subscription.id}: Slack channel disabled (${error.reason})`);
    }
    // A rate limit is not a failure: the row goes back to pending, and the job comes back later. A
    // transient error that outlasts every attempt is final too, or the sweep would re-queue it forever.
    if (error instanceof WebhookBusyError || error instanceof MailBusyError) {
      await this.deliveries.uncount(delivery.id);
      await this.deliveries.finishDelivery(delivery.id, { status: 'pending', error: null }, now);
      return error;
    }
    if (error instanceof RetryLaterError) {
      const waitedMs = now.getTime() - (delivery.createdAt ?? now).getTime();
      if (waitedMs + error.delayMs <= DELIVERY_RATE_LIMITED_GIVE_UP_MS) {
        await this.deliveries.countRateLimited(delivery.id);
        await this.deliveries.finishDelivery(delivery.id, { status: 'pending', error: null }, now);
        return error;
      }
      const hours = Math.round(DELIVERY_RATE_LIMITED_GIVE_UP_MS / 3600_000);
      const givenUp = new PermanentError(
        `gave up: still rate-limited ${hours} h after the digest was built: ${message}`,
      );
      await this.deliveries.finishDelivery(delivery.id, { status: 'failed', error: givenUp.message }, now);
      return givenUp;
    }
    const failedAttempts = delivery.attempts - (delivery.rateLimited ?? 0);
    const exhausted = !(error instanceof PermanentError) && failedAttempts >= DELIVERY_SEND_ATTEMPTS;
    const status = error instanceof PermanentError || exhausted ? 'failed' : 'pending';
    const recorded = exhausted ? `gave up after ${failedAttempts} failed attempts: ${message}` : message;
    await this.deliveries.finishDelivery(delivery.id, { status, error: recorded }, now);
    return error;
  }

  private deliver(
    delivery: ClaimedDelivery,
    digest: DeliveryContext['digest'],
    subscription: SubscriptionEntity,
    view: DigestView,
  ): Promise<string> {
    switch (delivery.channel) {
      case 'email':
        if (!subscription.email || subscription.emailSuppressedAt) {
          throw new PermanentError(`Subscription ${subscription.id} has no deliverable email address`);
        }
        return this.email.sendDigest(subscription.email, digest.id, view);
      case 'slack':
        if (!subscription.slackWebhookUrl || subscription.slackDisabledAt) {
          throw new PermanentError(`Subscription ${subscription.id} has no working Slack webhook`);
        }
        return this.slack.sendDigest(
          this.secrets.open(subscription.slackWebhookUrl),
          view,
          delivery.partsSent,
          (parts) => this.deliveries.recordPartsSent(delivery.id, parts),
        );
    }
  }

  private async viewOf({ digest, subscription, paperIds, notes: built }: DeliveryContext): Promise<DigestView> {
    const [papers, notes] = await Promise.all([
      (async () => this.paperCache.get(paperIds ?? (await this.digests.paperIdsOf(digest.id))))(),
      built ?? this.digests.notesOf(digest.id),
    ]);
    const now = this.clock.now();
    const { PUBLIC_URL, APP_SECRET } = this.settings;
    return buildDigestView(
      {
        digest,
        subscription,
        papers,
        notes,
        links: digestLinks(PUBLIC_URL, APP_SECRET, subscription, digest.id, now),
        voteLinks: (paperId, source) => paperVoteLinks(PUBLIC_URL, APP_SECRET, subscription, paperId, source, now),
      },
      this.paperViews.viewOf,
    );
  }
}
