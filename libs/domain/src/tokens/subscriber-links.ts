import { createHash } from 'node:crypto';
import { signToken, tokenSubject, verifyToken } from './signed-token';

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

/** What links are signed for: the subscription and its key version (raised to revoke earlier links). */
export interface LinkHolder {
  id: string;
  linkVersion: number;
}

/**
 * The signed links a subscriber receives; the api verifies them with the same secret. Manage and feed links
 * carry the subscription's key version (revocable). Unsubscribe links carry it too, but an earlier version
 * still unsubscribes (RFC 8058: an old email's link keeps working); only "delete my data" needs the current
 * one. Confirm links carry none.
 */
export function subscriberLinks(
  publicUrl: string,
  secret: string,
  subscription: LinkHolder,
  now: Date,
): SubscriberLinks {
  const base = publicUrl.replace(/\/+$/, '');
  const { id, linkVersion } = subscription;
  const revocable = (purpose: 'feed' | 'manage'): string =>
    encodeURIComponent(signToken(secret, purpose, id, now, linkVersion));
  const feed = revocable('feed');
  const manage = revocable('manage');
  return {
    confirm: `${base}/subscriptions/confirm?token=${encodeURIComponent(signToken(secret, 'confirm', id, now))}`,
    unsubscribe: unsubscribeUrl(publicUrl, secret, id, now, linkVersion),
    manage: `${base}/manage?id=${id}&token=${manage}`,
    manageApi: `${base}/api/subscriptions/${id}?token=${manage}`,
    feeds: {
      rss: `${base}/feeds/subscription.rss?token=${feed}`,
      atom: `${base}/feeds/subscription.atom?token=${feed}`,
      json: `${base}/feeds/subscription.json?token=${feed}`,
    },
  };
}

/** The one-click unsubscribe link: it unsubscribes forever, whatever the subscription's key version since. */
export function unsubscribeUrl(
  publicUrl: string,
  secret: string,
  subscriptionId: string,
  now: Date,
  keyVersion = 0,
): string {
  const base = publicUrl.replace(/\/+$/, '');
  const token = signToken(secret, 'unsubscribe', subscriptionId, now, keyVersion);
  return `${base}/unsubscribe?token=${encodeURIComponent(token)}`;
}

/**
 * How often a subscriber may revoke their links. An unsubscribe token does not say its key version, so checking
 * one tries each version in turn: without a bound, a subscription revoked a million times would make every
 * request with a bad token of it cost a million HMACs.
 */
export const MAX_LINK_VERSION = 100;

/**
 * The key version an unsubscribe token was signed with, from the subscription's current one down to 0 (at most
 * MAX_LINK_VERSION + 1 of them); null when it is not genuine. Only a token of the current version may erase
 * (earlier links were revoked).
 */
export function unsubscribeTokenVersion(secret: string, token: string, now: Date, linkVersion: number): number | null {
  const oldest = Math.max(0, linkVersion - MAX_LINK_VERSION);
  for (let version = linkVersion; version >= oldest; version--) {
    if (verifyToken(secret, 'unsubscribe', token, now, Number.POSITIVE_INFINITY, version) !== null) {
      return version;
    }
  }
  return null;
}

/**
 * The link that confirms a new address of a subscription (sent to the new address). The token names the address
 * too (a hash of it), so the link of an address the subscriber replaced since cannot confirm the newer one.
 */
export function emailChangeConfirmUrl(
  publicUrl: string,
  secret: string,
  subscriptionId: string,
  address: string,
  now: Date,
): string {
  return addressLink(publicUrl, secret, 'confirm-email', subscriptionId, address, now);
}

/**
 * The link that approves a change to `newAddress`, sent to the subscription's current address: a forwarded
 * manage link alone cannot move the digests (and their links) to another mailbox.
 */
export function emailChangeApproveUrl(
  publicUrl: string,
  secret: string,
  subscriptionId: string,
  newAddress: string,
  now: Date,
): string {
  return addressLink(publicUrl, secret, 'approve-email', subscriptionId, newAddress, now);
}

function addressLink(
  publicUrl: string,
  secret: string,
  purpose: 'confirm-email' | 'approve-email',
  subscriptionId: string,
  address: string,
  now: Date,
): string {
  const base = publicUrl.replace(/\/+$/, '');
  const token = signToken(secret, purpose, `${subscriptionId}_${addressTag(address)}`, now);
  return `${base}/subscriptions/confirm-email?token=${encodeURIComponent(token)}`;
}

/**
 * A genuine address-change token not older than maxAgeMs: its subscription, who it was sent to (the new
 * address, or the current one approving), and a check of the new address it names; else null.
 */
export function verifyEmailChangeToken(
  secret: string,
  token: string,
  now: Date,
  maxAgeMs: number,
): { subscriptionId: string; sentTo: 'new' | 'current'; matches: (address: string) => boolean } | null {
  for (const [purpose, sentTo] of [
    ['confirm-email', 'new'],
    ['approve-email', 'current'],
  ] as const) {
    const subject = verifyToken(secret, purpose, token, now, maxAgeMs);
    const [subscriptionId, tag, ...rest] = subject?.split('_') ?? [];
    if (subscriptionId && tag && rest.length === 0) {
      return { subscriptionId, sentTo, matches: (address) => addressTag(address) === tag };
    }
  }
  return null;
}

const addressTag = (address: string): string =>
  createHash('sha256').update(address.toLowerCase()).digest('hex').slice(0, 16);

/** The "view in browser" link of one digest; revoked with the subscription's other links. */
export function digestViewUrl(
  publicUrl: string,
  secret: string,
  digestId: string,
  linkVersion: number,
  now: Date,
): string {
  const base = publicUrl.replace(/\/+$/, '');
  const token = signToken(secret, 'digest', digestId, now, linkVersion);
  return `${base}/digests/${digestId}?token=${encodeURIComponent(token)}`;
}

/** The digest a view token claims, unverified (its subscription's key version is needed to verify it). */
export const digestOfToken = tokenSubject;

/** The links every rendering of a digest carries (email, Slack, web view). */
export function digestLinks(
  publicUrl: string,
  secret: string,
  subscription: LinkHolder,
  digestId: string,
  now: Date,
): { unsubscribeUrl: string; feedUrl: string; viewUrl: string; manageUrl: string } {
  const links = subscriberLinks(publicUrl, secret, subscription, now);
  return {
    unsubscribeUrl: links.unsubscribe,
    feedUrl: links.feeds.rss,
    viewUrl: digestViewUrl(publicUrl, secret, digestId, subscription.linkVersion, now),
    manageUrl: links.manage,
  };
}
