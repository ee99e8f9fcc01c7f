import type { SubscriptionEntity, SubscriptionRepository } from '@libs/database';
import { verifyToken } from '@libs/domain';

/**
 * The subscription a manage token opens: signed for it, under its current link version (links revoked through
 * "revoke all earlier links" no longer do); null otherwise.
 */
export async function managedSubscription(
  secret: string,
  subscriptions: SubscriptionRepository,
  id: string,
  token: string,
  now: Date,
): Promise<SubscriptionEntity | null> {
  const subscription = await subscriptions.findById(id);
  return subscription !== null &&
    verifyToken(secret, 'manage', token, now, Number.POSITIVE_INFINITY, subscription.linkVersion ?? 0) === id
    ? subscription
    : null;
}

/** Whether a manage token opens this subscription (see managedSubscription). */
export async function opensSubscription(
  secret: string,
  subscriptions: SubscriptionRepository,
  id: string,
  token: string,
  now: Date,
): Promise<boolean> {
  return (await managedSubscription(secret, subscriptions, id, token, now)) !== null;
}
