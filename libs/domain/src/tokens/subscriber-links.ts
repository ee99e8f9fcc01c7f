import { signToken } from './signed-token';

export interface SubscriberLinks {
  confirm: string;
  unsubscribe: string;
}

/** The signed links a subscriber receives; the api verifies them with the same secret. */
export function subscriberLinks(publicUrl: string, secret: string, subscriptionId: string, now: Date): SubscriberLinks {
  const base = publicUrl.replace(/\/+$/, '');
  const token = (purpose: 'confirm' | 'unsubscribe'): string =>
    encodeURIComponent(signToken(secret, purpose, subscriptionId, now));
  return {
    confirm: `${base}/subscriptions/confirm?token=${token('confirm')}`,
    unsubscribe: `${base}/unsubscribe?token=${token('unsubscribe')}`,
  };
}
