import type { SubscriptionRepository } from '@libs/database';
import { verifyToken } from '@libs/domain';

/**
 * Whether a manage token opens this subscription: signed for it, under its current link version (links
 * revoked through "revoke all earlier links" no longer do), as SubscriptionsService checks it.
 */
export async function opensSubscription(
  secret: string,
  subscriptions: SubscriptionRepository,
  id: string,
  token: string,
  now: Date,
): Promise<boolean> {
  const subscription = await subscriptions.findById(id);
  return (
    subscription !== null &&
    verifyToken(secret, 'manage', token, now, Number.POSITIVE_INFINITY, subscription.linkVersion ?? 0) === id
  );
}
