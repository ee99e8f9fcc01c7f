import { createHash } from 'node:crypto';
import { signToken, verifyToken } from './signed-token';

export interface SubscriberLinks {
  confirm: string;
  unsubscribe: string;
  /** The manage page (web) of the subscription. */
  manage: string;
  /** The same, as the JSON API (GET, PATCH). */
  manageApi: string;
  /** The personal feeds: every paper of every digest of the subscription. */
  feeds: { rss: string; atom: string; json: string };
}

/** The signed links a subscriber receives; the api verifies them with the same secret. */
export function subscriberLinks(publicUrl: string, secret: string, subscriptionId: string, now: Date): SubscriberLinks {
  const base = publicUrl.replace(/\/+$/, '');
  const token = (purpose: 'confirm' | 'unsubscribe' | 'feed' | 'manage'): string =>
    encodeURIComponent(signToken(secret, purpose, subscriptionId, now));
  const feed = token('feed');
  return {
    confirm: `${base}/subscriptions/confirm?token=${token('confirm')}`,
    unsubscribe: `${base}/unsubscribe?token=${token('unsubscribe')}`,
    manage: `${base}/manage?id=${subscriptionId}&token=${token('manage')}`,
    manageApi: `${base}/api/subscriptions/${subscriptionId}?token=${token('manage')}`,
    feeds: {
      rss: `${base}/feeds/subscription.rss?token=${feed}`,
      atom: `${base}/feeds/subscription.atom?token=${feed}`,
      json: `${base}/feeds/subscription.json?token=${feed}`,
    },
  };
}

/**
 * The link that confirms a new address of a subscription. The token names the address too (a hash of it), so
 * the link of an address the subscriber replaced since cannot confirm the newer one.
 */
export function emailChangeConfirmUrl(
  publicUrl: string,
  secret: string,
  subscriptionId: string,
  address: string,
  now: Date,
): string {
  const base = publicUrl.replace(/\/+$/, '');
  const token = signToken(secret, 'confirm-email', `${subscriptionId}_${addressTag(address)}`, now);
  return `${base}/subscriptions/confirm-email?token=${encodeURIComponent(token)}`;
}

/** The subscription and the address tag of a genuine email-change token not older than maxAgeMs; else null. */
export function verifyEmailChangeToken(
  secret: string,
  token: string,
  now: Date,
  maxAgeMs: number,
): { subscriptionId: string; matches: (address: string) => boolean } | null {
  const subject = verifyToken(secret, 'confirm-email', token, now, maxAgeMs);
  const [subscriptionId, tag, ...rest] = subject?.split('_') ?? [];
  if (!subscriptionId || !tag || rest.length > 0) {
    return null;
  }
  return { subscriptionId, matches: (address) => addressTag(address) === tag };
}

const addressTag = (address: string): string =>
  createHash('sha256').update(address.toLowerCase()).digest('hex').slice(0, 16);

/** The "view in browser" link of one digest. */
export function digestViewUrl(publicUrl: string, secret: string, digestId: string, now: Date): string {
  const base = publicUrl.replace(/\/+$/, '');
  return `${base}/digests/${digestId}?token=${encodeURIComponent(signToken(secret, 'digest', digestId, now))}`;
}

/** The links every rendering of a digest carries (email, Slack, web view). */
export function digestLinks(
  publicUrl: string,
  secret: string,
  subscriptionId: string,
  digestId: string,
  now: Date,
): { unsubscribeUrl: string; feedUrl: string; viewUrl: string; manageUrl: string } {
  const links = subscriberLinks(publicUrl, secret, subscriptionId, now);
  return {
    unsubscribeUrl: links.unsubscribe,
    feedUrl: links.feeds.rss,
    viewUrl: digestViewUrl(publicUrl, secret, digestId, now),
    manageUrl: links.manage,
  };
}
