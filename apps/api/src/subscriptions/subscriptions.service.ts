import { Injectable } from '@nestjs/common';
import { Settings } from '@libs/config';
import { ChannelChanges, SubscriptionRepository } from '@libs/database';
import {
  PermanentError,
  SecretBox,
  slackWebhookProblem,
  SubscriberLinks,
  subscriberLinks,
  verifyEmailChangeToken,
  verifyToken,
} from '@libs/domain';
import { JobName, JobProducer } from '@libs/queues';
import { SubscriptionEntity } from '@libs/database';
import { CreateSubscriptionDto, SubscriptionPreferencesDto, UpdateSubscriptionDto } from './dto/create-subscription.dto';
import { SubscribeRateLimiter } from './subscribe-rate-limiter';

const CONFIRM_LINK_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
const PENDING_MESSAGE = 'Check your inbox to confirm the subscription.';

export type Preferences = Required<SubscriptionPreferencesDto>;

const DEFAULT_PREFERENCES: Preferences = {
  topics: [],
  keywords: [],
  excludeTopics: [],
  minUpvotes: 0,
  frequency: 'daily',
  weekday: 1,
  timezone: 'UTC',
  sendHour: 8,
  maxPapers: 20,
};

/** What the manage API shows of a subscription: its choices and channels, never the webhook itself. */
export interface SubscriptionView extends Preferences {
  id: string;
  status: string;
  email: string | null;
  /** A new address awaiting the click in its confirmation email; `email` gets the digests until then. */
  pendingEmail: string | null;
  slack: { host: string; disabledReason: string | null } | null;
  emailSuppressed: boolean;
  feeds: SubscriberLinks['feeds'];
}

export type CreatedSubscription =
  | { status: 'pending'; message: string }
  | { status: 'active'; id: string; unsubscribeUrl: string; manageUrl: string; feeds: SubscriberLinks['feeds'] };

/** Thrown for a request that cannot be a subscription; the controller maps it to 400. */
export class InvalidSubscriptionError extends PermanentError {}

/** A new address that already got its share of confirmation emails today; the controller maps it to 429. */
export class TooManyConfirmationsError extends PermanentError {
  constructor() {
    super('This address got too many confirmation emails today; try again tomorrow');
  }
}

@Injectable()
export class SubscriptionsService {
  private readonly secrets: SecretBox;

  constructor(
    private readonly settings: Settings,
    private readonly subscriptions: SubscriptionRepository,
    private readonly producer: JobProducer,
    private readonly limiter: SubscribeRateLimiter,
  ) {
    this.secrets = new SecretBox(settings.APP_SECRET);
  }

  /**
   * An email subscription starts pending and gets a confirmation email (double opt-in); the answer is
   * the same whatever the address, so the API tells nobody who subscribes. A Slack or feed-only one
   * is active at once and answers its links.
   */
  async create(dto: CreateSubscriptionDto, now: Date = new Date()): Promise<CreatedSubscription> {
    this.checkWebhook(dto.slackWebhookUrl);
    const pending = Boolean(dto.email);
    if (dto.email && !(await this.limiter.admitAddress(dto.email))) {
      // The same answer as ever, but no more mail to an address someone keeps entering.
      return { status: 'pending', message: PENDING_MESSAGE };
    }
    const preferences = normalized({ ...DEFAULT_PREFERENCES, ...defined(dto) });
    const subscription = await this.subscriptions.create({
      email: dto.email ?? null,
      slackWebhookUrl: dto.slackWebhookUrl ? this.secrets.seal(dto.slackWebhookUrl) : null,
      status: pending ? 'pending' : 'active',
      ...preferences,
      activatedAt: pending ? null : now,
    });
    if (pending) {
      await this.producer.enqueue(JobName.ConfirmationSend, { subscriptionId: subscription.id });
      return { status: 'pending', message: PENDING_MESSAGE };
    }
    const links = subscriberLinks(this.settings.PUBLIC_URL, this.settings.APP_SECRET, subscription.id, now);
    return {
      status: 'active',
      id: subscription.id,
      unsubscribeUrl: links.unsubscribe,
      manageUrl: links.manage,
      feeds: links.feeds,
    };
  }

  /** The subscription a manage link points to, or null. */
  async get(id: string, token: string): Promise<SubscriptionView | null> {
    const subscription = await this.managed(id, token);
    return subscription ? this.view(subscription) : null;
  }

  /**
   * Changes what a subscriber receives from the next period on; periods already sent stay sent. Channels
   * too: a new webhook re-enables Slack, a new address waits for its own confirmation
   * (docs/adr/0002-channel-edits.md).
   */
  async update(
    id: string,
    token: string,
    changes: UpdateSubscriptionDto | SubscriptionPreferencesDto,
    now: Date = new Date(),
  ): Promise<SubscriptionView | null> {
    const subscription = await this.managed(id, token);
    if (!subscription || subscription.status === 'unsubscribed') {
      return null;
    }
    const channels = await this.channelChanges(subscription, changes);
    const updated = await this.subscriptions.updatePreferences(
      subscription.id,
      normalized({ ...preferencesOf(subscription), ...defined(changes) }),
      channels,
    );
    if (updated && channels.pendingEmail) {
      await this.producer.enqueue(JobName.ConfirmationSend, {
        subscriptionId: subscription.id,
        emailRequestedAt: now.toISOString(),
      });
    }
    return updated ? this.view(updated) : null;
  }

  /** The channel fields an edit sets; a new address is counted against its confirmation emails first. */
  private async channelChanges(
    subscription: SubscriptionEntity,
    changes: UpdateSubscriptionDto | SubscriptionPreferencesDto,
  ): Promise<ChannelChanges> {
    const { email, slackWebhookUrl } = changes as UpdateSubscriptionDto;
    const channels: ChannelChanges = {};
    if (slackWebhookUrl !== undefined) {
      this.checkWebhook(slackWebhookUrl);
      Object.assign(channels, {
        slackWebhookUrl: slackWebhookUrl === null ? null : this.secrets.seal(slackWebhookUrl),
        slackDisabledAt: null,
        slackDisabledReason: null,
      });
    }
    if (email === null) {
      Object.assign(channels, { email: null, pendingEmail: null, hardBounces: 0, emailSuppressedAt: null });
    } else if (email !== undefined) {
      if (email === subscription.email && !subscription.emailSuppressedAt) {
        channels.pendingEmail = null;
      } else if (!(await this.limiter.admitAddress(email))) {
        throw new TooManyConfirmationsError();
      } else {
        channels.pendingEmail = email;
      }
    }
    return channels;
  }

  /** A confirmation link of a new address (GET /subscriptions/confirm-email). */
  async confirmEmail(
    token: string,
    now: Date = new Date(),
  ): Promise<{ status: 'confirmed'; feeds: SubscriberLinks['feeds']; manage: string } | { status: 'invalid' }> {
    const verified = verifyEmailChangeToken(this.settings.APP_SECRET, token, now, CONFIRM_LINK_MAX_AGE_MS);
    const subscription = verified ? await this.subscriptions.findById(verified.subscriptionId) : null;
    if (!verified || !subscription) {
      return { status: 'invalid' };
    }
    // A second click finds the address already confirmed: the same page.
    const confirmed =
      subscription.status !== 'unsubscribed' &&
      ((subscription.pendingEmail !== null &&
        verified.matches(subscription.pendingEmail) &&
        (await this.subscriptions.confirmPendingEmail(subscription.id, subscription.pendingEmail, now))) ||
        (subscription.email !== null && subscription.pendingEmail === null && verified.matches(subscription.email)));
    if (!confirmed) {
      return { status: 'invalid' };
    }
    const links = subscriberLinks(this.settings.PUBLIC_URL, this.settings.APP_SECRET, subscription.id, now);
    return { status: 'confirmed', feeds: links.feeds, manage: links.manage };
  }

  /** Slack's own webhooks only, unless the test-only ALLOW_ANY_WEBHOOK_HOST says otherwise; never userinfo. */
  private checkWebhook(url: string | null | undefined): void {
    const problem = url ? slackWebhookProblem(url, { anyHost: this.settings.ALLOW_ANY_WEBHOOK_HOST }) : null;
    if (problem !== null) {
      throw new InvalidSubscriptionError(`slackWebhookUrl ${problem}`);
    }
  }

  private async managed(id: string, token: string): Promise<SubscriptionEntity | null> {
    if (verifyToken(this.settings.APP_SECRET, 'manage', token, new Date()) !== id) {
      return null;
    }
    return this.subscriptions.findById(id);
  }

  private view(subscription: SubscriptionEntity): SubscriptionView {
    const links = subscriberLinks(this.settings.PUBLIC_URL, this.settings.APP_SECRET, subscription.id, new Date());
    return {
      id: subscription.id,
      status: subscription.status,
      email: subscription.email,
      pendingEmail: subscription.pendingEmail,
      emailSuppressed: subscription.emailSuppressedAt !== null,
      slack: subscription.slackWebhookUrl
        ? {
            host: new URL(this.secrets.open(subscription.slackWebhookUrl)).host,
            disabledReason: subscription.slackDisabledReason,
          }
        : null,
      ...preferencesOf(subscription),
      feeds: links.feeds,
    };
  }

  /** Confirming twice is fine; a subscription cancelled in the meantime stays cancelled. */
  async confirm(
    token: string,
    now: Date = new Date(),
  ): Promise<
    { status: 'confirmed'; feeds: SubscriberLinks['feeds']; manage: string } | { status: 'unsubscribed' | 'invalid' }
  > {
    const id = verifyToken(this.settings.APP_SECRET, 'confirm', token, now, CONFIRM_LINK_MAX_AGE_MS);
    const subscription = id ? await this.subscriptions.findById(id) : null;
    if (!subscription) {
      return { status: 'invalid' };
    }
    if (subscription.status === 'unsubscribed') {
      return { status: 'unsubscribed' };
    }
    await this.subscriptions.activate(subscription.id, now);
    const links = subscriberLinks(this.settings.PUBLIC_URL, this.settings.APP_SECRET, subscription.id, now);
    return { status: 'confirmed', feeds: links.feeds, manage: links.manage };
  }

  /** The manage link's DELETE: unsubscribes at once, like one-click; the delivery history stays. */
  async cancel(id: string, token: string, now: Date = new Date()): Promise<boolean> {
    const subscription = await this.managed(id, token);
    if (!subscription) {
      return false;
    }
    await this.subscriptions.unsubscribe(subscription.id, now);
    return true;
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

function preferencesOf(subscription: SubscriptionEntity): Preferences {
  const { topics, keywords, excludeTopics, minUpvotes, frequency, weekday, timezone, sendHour, maxPapers } =
    subscription;
  return { topics, keywords, excludeTopics, minUpvotes, frequency, weekday, timezone, sendHour, maxPapers };
}

/** The preference fields a request set, without the ones it left out (and nothing else it carries). */
function defined(value: SubscriptionPreferencesDto): Partial<Preferences> {
  return Object.fromEntries(
    Object.keys(DEFAULT_PREFERENCES)
      .map((key) => [key, value[key as keyof SubscriptionPreferencesDto]])
      .filter(([, v]) => v !== undefined),
  ) as Partial<Preferences>;
}

function normalized(preferences: Preferences): Preferences {
  return {
    ...preferences,
    topics: [...new Set(preferences.topics)],
    keywords: [...new Set(preferences.keywords.map((keyword) => keyword.trim()))],
    excludeTopics: [...new Set(preferences.excludeTopics)],
  };
}
