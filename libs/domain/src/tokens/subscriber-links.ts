import { signToken } from './signed-token';

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
