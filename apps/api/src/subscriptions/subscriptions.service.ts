import { Injectable } from '@nestjs/common';
import { Settings } from '@libs/config';
import { SubscriptionRepository } from '@libs/database';
import { PermanentError, SecretBox, SubscriberLinks, subscriberLinks, verifyToken } from '@libs/domain';
import { JobName, JobProducer } from '@libs/queues';
import { CreateSubscriptionDto } from './dto/create-subscription.dto';

const CONFIRM_LINK_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

export type CreatedSubscription =
  | { status: 'pending'; message: string }
  | { status: 'active'; id: string; unsubscribeUrl: string; feeds: { rss: string; atom: string; json: string } };

/** Thrown for a request that cannot be a subscription; the controller maps it to 400. */
export class InvalidSubscriptionError extends PermanentError {}

@Injectable()
export class SubscriptionsService {
  private readonly secrets: SecretBox;

  constructor(
    private readonly settings: Settings,
    private readonly subscriptions: SubscriptionRepository,
    private readonly producer: JobProducer,
  ) {
    this.secrets = new SecretBox(settings.APP_SECRET);
  }

  /**
   * An email subscription starts pending and gets a confirmation email (double opt-in); the answer is
   * the same whatever the address, so the API tells nobody who subscribes. A Slack or feed-only one
   * is active at once and answers its links.
   */
  async create(dto: CreateSubscriptionDto, now: Date = new Date()): Promise<CreatedSubscription> {
    if (dto.slackWebhookUrl && !this.settings.ALLOW_PRIVATE_TARGETS && !isSlackWebhook(dto.slackWebhookUrl)) {
      throw new InvalidSubscriptionError('slackWebhookUrl must be a Slack incoming webhook: https://hooks.slack.com/services/…');
    }
    const pending = Boolean(dto.email);
    const subscription = await this.subscriptions.create({
      email: dto.email ?? null,
      slackWebhookUrl: dto.slackWebhookUrl ? this.secrets.seal(dto.slackWebhookUrl) : null,
      status: pending ? 'pending' : 'active',
      topics: [...new Set(dto.topics)],
      keywords: [...new Set(dto.keywords.map((keyword) => keyword.trim()))],
      excludeTopics: [...new Set(dto.excludeTopics)],
      minUpvotes: dto.minUpvotes,
      frequency: dto.frequency,
      weekday: dto.weekday,
      timezone: dto.timezone,
      sendHour: dto.sendHour,
      maxPapers: dto.maxPapers,
      activatedAt: pending ? null : now,
    });
    if (pending) {
      await this.producer.enqueue(JobName.ConfirmationSend, { subscriptionId: subscription.id });
      return { status: 'pending', message: 'Check your inbox to confirm the subscription.' };
    }
    const links = subscriberLinks(this.settings.PUBLIC_URL, this.settings.APP_SECRET, subscription.id, now);
    return { status: 'active', id: subscription.id, unsubscribeUrl: links.unsubscribe, feeds: links.feeds };
  }

  /** Confirming twice is fine; a subscription cancelled in the meantime stays cancelled. */
  async confirm(
    token: string,
    now: Date = new Date(),
  ): Promise<{ status: 'confirmed'; feeds: SubscriberLinks['feeds'] } | { status: 'unsubscribed' | 'invalid' }> {
    const id = verifyToken(this.settings.APP_SECRET, 'confirm', token, now, CONFIRM_LINK_MAX_AGE_MS);
    const subscription = id ? await this.subscriptions.findById(id) : null;
    if (!subscription) {
      return { status: 'invalid' };
    }
    if (subscription.status === 'unsubscribed') {
      return { status: 'unsubscribed' };
    }
    await this.subscriptions.activate(subscription.id, now);
    return { status: 'confirmed', feeds: subscriberLinks(this.settings.PUBLIC_URL, this.settings.APP_SECRET, subscription.id, now).feeds };
  }

  /** Whether an unsubscribe token is genuine (the GET page shows the button only then). */
  async isUnsubscribeToken(token: string): Promise<boolean> {
    const id = verifyToken(this.settings.APP_SECRET, 'unsubscribe', token, new Date());
    return id !== null && (await this.subscriptions.findById(id)) !== null;
  }

  /** RFC 8058 one-click: immediate and idempotent. */
  async unsubscribe(token: string, now: Date = new Date()): Promise<boolean> {
    const id = verifyToken(this.settings.APP_SECRET, 'unsubscribe', token, now);
    if (!id || !(await this.subscriptions.findById(id))) {
      return false;
    }
    await this.subscriptions.unsubscribe(id, now);
    return true;
  }
}

function isSlackWebhook(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (
      parsed.protocol === 'https:' &&
      parsed.hostname === 'hooks.slack.com' &&
      parsed.port === '' &&
      parsed.username === '' &&
      parsed.pathname.startsWith('/services/')
    );
  } catch {
    return false;
  }
}
