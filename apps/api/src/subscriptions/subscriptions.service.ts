import { Injectable } from '@nestjs/common';
import { Settings } from '@libs/config';
import { ChannelChanges, ProfileRepository, SubscriptionRepository } from '@libs/database';
import {
  Clock,
  MAX_SEEDS,
  PermanentError,
  SecretBox,
  type SeedEntry,
  seedList,
  slackWebhookProblem,
  SubscriberLinks,
  subscriberLinks,
  tokenSubject,
  unsubscribeTokenVersion,
  MAX_LINK_VERSION,
  verifyEmailChangeToken,
  verifyToken,
} from '@libs/domain';
import { JobName, JobProducer } from '@libs/queues';
import { SubscriptionEntity } from '@libs/database';
import {
  CreateSubscriptionDto,
  SubscriptionPreferencesDto,
  UpdateSubscriptionDto,
} from './dto/create-subscription.dto';
import { SubscribeRateLimiter } from './subscribe-rate-limiter';
import { SeedsAnswer, SeedsService } from '../relevance/seeds.service';
import { managedSubscription } from '../relevance/manage-token';

const CONFIRM_LINK_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
const PENDING_MESSAGE = 'Check your inbox to confirm the subscription.';

export type Preferences = Required<Omit<SubscriptionPreferencesDto, 'ranking' | 'seedPapers'>> & {
  /** Null until chosen: upvotes until the first vote or seed, then for-you (the view shows which). */
  ranking: SubscriptionPreferencesDto['ranking'] | null;
};

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
  ranking: null,
  followedAuthors: [],
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
  /** What became of the seed papers a PATCH sent (`seedPapers`); absent when it sent none. */
  seeds?: SeedsAnswer;
}

/** `seeds`: what became of the seed papers sent (`seedPapers`); absent when none were. */
export type CreatedSubscription = (
  | { status: 'pending'; message: string }
  | { status: 'active'; id: string; unsubscribeUrl: string; manageUrl: string; feeds: SubscriberLinks['feeds'] }
) & { seeds?: SeedsAnswer };

/** Thrown for a request that cannot be a subscription; the controller maps it to 400. */
export class InvalidSubscriptionError extends PermanentError {}

/**
 * A client over its limit of requests that send a confirmation email (subscribing, a new address); the
 * controller maps it to 429 with Retry-After. It says nothing of the address asked for.
 */
export class TooManyRequestsError extends PermanentError {
  constructor(readonly retryAfterSeconds: number) {
    super('Too many subscription requests from this address; try again later');
  }
}

/** "Revoke all earlier links" once more than MAX_LINK_VERSION times; the controllers map it to 409. */
export class TooManyRevocationsError extends PermanentError {
  constructor() {
    super(
      `This subscription's links were already revoked ${MAX_LINK_VERSION} times, the most there can be; ` +
        'unsubscribe and subscribe again for a fresh set',
    );
  }
}

/** New links after "revoke all earlier links": the manage page, its API and the personal feeds. */
export interface RenewedLinks {
  manageUrl: string;
  manageApiUrl: string;
  feeds: SubscriberLinks['feeds'];
}

@Injectable()
export class SubscriptionsService {
  private readonly secrets: SecretBox;

  constructor(
    private readonly settings: Settings,
    private readonly subscriptions: SubscriptionRepository,
    private readonly producer: JobProducer,
    private readonly limiter: SubscribeRateLimiter,
    private readonly seeds: SeedsService,
    private readonly profiles: ProfileRepository,
    private readonly clock: Clock,
  ) {
    this.secrets = new SecretBox(settings.APP_SECRET);
  }

  /**
   * An email subscription starts pending and gets a confirmation email (double opt-in); the answer is
   * the same whatever the address, so the API tells nobody who subscribes. A Slack or feed-only one
   * is active at once and answers its links. Seed papers (`seedPapers`, or `seeds` read from the web form's
   * file) are stored with it; they are read before anything is stored, so a bad one stores nothing.
   */
  async create(
    dto: CreateSubscriptionDto,
    now: Date = this.clock.now(),
    seeds: readonly SeedEntry[] = seedEntries(dto.seedPapers),
  ): Promise<CreatedSubscription> {
    this.checkWebhook(dto.slackWebhookUrl);
    checkSeedCount(seeds);
    const preferences = normalized({ ...DEFAULT_PREFERENCES, ...defined(dto) });
    const slackWebhookUrl = dto.slackWebhookUrl ? this.secrets.seal(dto.slackWebhookUrl) : null;
    if (dto.email) {
      // The same work whatever the address's history (the notifier applies its daily cap of confirmation
      // emails), so neither the answer nor its timing tells anything about the address.
      const subscription = await this.subscriptions.createPending({
        email: dto.email,
        slackWebhookUrl,
        status: 'pending',
        ...preferences,
        activatedAt: null,
      });
      const seeded = await this.addSeeds(subscription.id, seeds, now);
      await this.producer.enqueue(JobName.ConfirmationSend, { subscriptionId: subscription.id });
      return { status: 'pending', message: PENDING_MESSAGE, ...seeded };
    }
    const subscription = await this.subscriptions.create({
      email: null,
      slackWebhookUrl,
      status: 'active',
      ...preferences,
      activatedAt: now,
    });
    const seeded = await this.addSeeds(subscription.id, seeds, now);
    const links = subscriberLinks(this.settings.PUBLIC_URL, this.settings.APP_SECRET, subscription, now);
    return {
      status: 'active',
      id: subscription.id,
      unsubscribeUrl: links.unsubscribe,
      manageUrl: links.manage,
      feeds: links.feeds,
      ...seeded,
    };
  }

  /** `{ seeds }` for an answer when there were seed papers to add, else nothing. */
  private async addSeeds(
    subscriptionId: string,
    seeds: readonly SeedEntry[],
    now: Date,
  ): Promise<{ seeds?: SeedsAnswer }> {
    return seeds.length > 0 ? { seeds: await this.seeds.addEntries(subscriptionId, seeds, now) } : {};
  }

  /** The subscription a manage link points to, or null. */
  async get(id: string, token: string): Promise<SubscriptionView | null> {
    const subscription = await this.managed(id, token);
    return subscription ? this.view(subscription) : null;
  }

  /**
   * Changes what a subscriber receives from the next period on; periods already sent stay sent. Channels
   * too: a new webhook re-enables Slack, a new address waits for its own confirmation and the current
   * address's approval (docs/adr/0002-channel-edits.md). A new address costs the client one request of its
   * subscribe limit (`clientIp`), as subscribing does. Seed papers (`seedPapers`, or `seeds` read from the
   * manage page's file) are added to the ones given before.
   */
  async update(
    id: string,
    token: string,
    changes: UpdateSubscriptionDto | SubscriptionPreferencesDto,
    clientIp: string,
    now: Date = this.clock.now(),
    seeds: readonly SeedEntry[] = seedEntries(changes.seedPapers),
  ): Promise<SubscriptionView | null> {
    const subscription = await this.managed(id, token);
    if (!subscription || subscription.status === 'unsubscribed') {
      return null;
    }
    checkSeedCount(seeds);
    const channels = this.channelChanges(subscription, changes);
    if (channels.pendingEmail) {
      const retryAfter = await this.limiter.admitClient(clientIp);
      if (retryAfter !== null) {
        throw new TooManyRequestsError(retryAfter);
      }
    }
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
    return updated ? { ...this.view(updated), ...(await this.addSeeds(updated.id, seeds, now)) } : null;
  }

  /** The channel fields an edit sets. */
  private channelChanges(
    subscription: SubscriptionEntity,
    changes: UpdateSubscriptionDto | SubscriptionPreferencesDto,
  ): ChannelChanges {
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
    const noPendingChange = { pendingEmail: null, pendingEmailConfirmedAt: null, pendingEmailApprovedAt: null };
    if (email === null) {
      Object.assign(channels, { email: null, ...noPendingChange, hardBounces: 0, emailSuppressedAt: null });
    } else if (email !== undefined) {
      if (email === subscription.email && !subscription.emailSuppressedAt) {
        Object.assign(channels, noPendingChange);
      } else if (email === subscription.pendingEmail) {
        // Asked again: the emails not clicked yet go out again (within the limits); the clicks made stay.
        channels.pendingEmail = email;
      } else {
        // A new change: the clicks of an earlier one do not count for it.
        Object.assign(channels, { ...noPendingChange, pendingEmail: email });
      }
    }
    return channels;
  }

  /**
   * A link of an address change (GET /subscriptions/confirm-email): the one sent to the new address, or the
   * one sent to the current address to approve it. The change is made once both were clicked ('waiting' in
   * between); the confirmed page carries the manage and feed links, so only the new address's click shows it.
   */
  async confirmEmail(
    token: string,
    now: Date = this.clock.now(),
  ): Promise<
    | { status: 'confirmed'; feeds: SubscriberLinks['feeds']; manage: string }
    | { status: 'waiting'; waitingFor: 'new' | 'current' }
    | { status: 'approved' }
    | { status: 'invalid' }
  > {
    const verified = verifyEmailChangeToken(this.settings.APP_SECRET, token, now, CONFIRM_LINK_MAX_AGE_MS);
    const subscription = verified ? await this.subscriptions.findById(verified.subscriptionId) : null;
    if (!verified || !subscription || subscription.status === 'unsubscribed') {
      return { status: 'invalid' };
    }
    let outcome: 'changed' | 'waiting' | 'stale' = 'stale';
    if (subscription.pendingEmail !== null && verified.matches(subscription.pendingEmail)) {
      outcome = await this.subscriptions.recordAddressClick(
        subscription.id,
        subscription.pendingEmail,
        verified.sentTo,
        now,
      );
    } else if (
      subscription.email !== null &&
      subscription.pendingEmail === null &&
      verified.matches(subscription.email)
    ) {
      // A second click finds the address already changed: the same page.
      outcome = 'changed';
    }
    if (outcome === 'stale') {
      return { status: 'invalid' };
    }
    if (outcome === 'waiting') {
      return { status: 'waiting', waitingFor: verified.sentTo === 'new' ? 'current' : 'new' };
    }
    if (verified.sentTo === 'current') {
      // The old mailbox approved the change that is now made; the links belong to the new one.
      return { status: 'approved' };
    }
    const current = (await this.subscriptions.findById(subscription.id)) ?? subscription;
    const links = subscriberLinks(this.settings.PUBLIC_URL, this.settings.APP_SECRET, current, now);
    return { status: 'confirmed', feeds: links.feeds, manage: links.manage };
  }

  /**
   * "Revoke all earlier links": every manage, feed and digest-view link sent so far stops working (a forwarded
   * digest no longer controls the subscription), and so does a pending address change; unsubscribe links stay.
   * Answers the new links, or null for a bad manage link; TooManyRevocationsError past MAX_LINK_VERSION.
   */
  async revokeLinks(id: string, token: string, now: Date = this.clock.now()): Promise<RenewedLinks | null> {
    const subscription = await this.managed(id, token);
    if (!subscription || subscription.status === 'unsubscribed') {
      return null;
    }
    if (subscription.linkVersion >= MAX_LINK_VERSION) {
      throw new TooManyRevocationsError();
    }
    const renewed = await this.subscriptions.raiseLinkVersion(subscription.id);
    if (!renewed) {
      return null;
    }
    const links = subscriberLinks(this.settings.PUBLIC_URL, this.settings.APP_SECRET, renewed, now);
    return { manageUrl: links.manage, manageApiUrl: links.manageApi, feeds: links.feeds };
  }

  /** Slack's own webhooks only, unless the test-only ALLOW_ANY_WEBHOOK_HOST says otherwise; never userinfo. */
  private checkWebhook(url: string | null | undefined): void {
    const problem = url ? slackWebhookProblem(url, { anyHost: this.settings.ALLOW_ANY_WEBHOOK_HOST }) : null;
    if (problem !== null) {
      throw new InvalidSubscriptionError(`slackWebhookUrl ${problem}`);
    }
  }

  /** The subscription of a manage link signed with its current key version (earlier ones were revoked). */
  private managed(id: string, token: string): Promise<SubscriptionEntity | null> {
    return managedSubscription(this.settings.APP_SECRET, this.subscriptions, id, token, this.clock.now());
  }

  private view(subscription: SubscriptionEntity): SubscriptionView {
    const links = subscriberLinks(this.settings.PUBLIC_URL, this.settings.APP_SECRET, subscription, this.clock.now());
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
      ranking: subscription.ranking ?? 'upvotes',
      feeds: links.feeds,
    };
  }

  /** Confirming twice is fine; a subscription cancelled in the meantime stays cancelled. */
  async confirm(
    token: string,
    now: Date = this.clock.now(),
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
    const links = subscriberLinks(this.settings.PUBLIC_URL, this.settings.APP_SECRET, subscription, now);
    return { status: 'confirmed', feeds: links.feeds, manage: links.manage };
  }

  /**
   * The manage link's DELETE: unsubscribes at once, like one-click; the delivery history, votes, seeds and
   * model stay for a re-subscribe. With `erase` ("delete my data"), the subscription and everything of it
   * go instead (ProfileRepository.erase; docs/relevance.md lists what).
   */
  async cancel(id: string, token: string, now: Date = this.clock.now(), erase = false): Promise<boolean> {
    const subscription = await this.managed(id, token);
    if (!subscription) {
      return false;
    }
    if (erase) {
      await this.profiles.erase(subscription.id);
    } else {
      await this.subscriptions.unsubscribe(subscription.id, now);
    }
    return true;
  }

  /**
   * What an unsubscribe token may do: null when it is not genuine; `canErase` when it carries the
   * subscription's current key version (a link revoked since still unsubscribes, RFC 8058, but a forwarded
   * old email must not delete the subscriber's data).
   */
  async unsubscribeLink(
    token: string,
    now: Date = this.clock.now(),
  ): Promise<{ id: string; canErase: boolean } | null> {
    const subject = tokenSubject(token);
    const subscription = subject ? await this.subscriptions.findById(subject) : null;
    if (!subscription) {
      return null;
    }
    const version = unsubscribeTokenVersion(this.settings.APP_SECRET, token, now, subscription.linkVersion);
    return version === null ? null : { id: subscription.id, canErase: version === subscription.linkVersion };
  }

  /**
   * RFC 8058 one-click: immediate and idempotent. `erase`: the unsubscribe page's "delete my data" button,
   * refused ('revoked') for a token of an earlier key version.
   */
  async unsubscribe(
    token: string,
    now: Date = this.clock.now(),
    erase = false,
  ): Promise<'unsubscribed' | 'erased' | 'invalid' | 'revoked'> {
    const link = await this.unsubscribeLink(token, now);
    if (!link) {
      return 'invalid';
    }
    if (!erase) {
      await this.subscriptions.unsubscribe(link.id, now);
      return 'unsubscribed';
    }
    if (!link.canErase) {
      return 'revoked';
    }
    await this.profiles.erase(link.id);
    return 'erased';
  }
}

/** The API's `seedPapers` as seed entries (the DTO checked each names a paper). */
function seedEntries(seedPapers: readonly string[] | undefined): SeedEntry[] {
  const { entries, wrong } = seedList('seedPapers', seedPapers ?? []);
  if (wrong !== null) {
    throw new InvalidSubscriptionError(wrong);
  }
  return entries;
}

function checkSeedCount(seeds: readonly SeedEntry[]): void {
  if (seeds.length > MAX_SEEDS) {
    throw new InvalidSubscriptionError(`${seeds.length} seed papers: at most ${MAX_SEEDS} at a time`);
  }
}

function preferencesOf(subscription: SubscriptionEntity): Preferences {
  const { topics, keywords, excludeTopics, minUpvotes, frequency, weekday, timezone, sendHour, maxPapers } =
    subscription;
  const { ranking, followedAuthors } = subscription;
  return {
    topics,
    keywords,
    excludeTopics,
    minUpvotes,
    frequency,
    weekday,
    timezone,
    sendHour,
    maxPapers,
    ranking,
    followedAuthors,
  };
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
    followedAuthors: [...new Set(preferences.followedAuthors)],
  };
}
