import { Injectable } from '@nestjs/common';
import { Settings } from '@libs/config';
import { SubscriptionRepository } from '@libs/database';
import { PermanentError, subscriberLinks } from '@libs/domain';
import { EmailChannel } from './channels/email.channel';

/** Sends the double opt-in email of a pending email subscription. */
@Injectable()
export class ConfirmationService {
  constructor(
    private readonly settings: Settings,
    private readonly subscriptions: SubscriptionRepository,
    private readonly email: EmailChannel,
  ) {}

  async send(subscriptionId: string, now: Date = new Date()): Promise<'sent' | 'skipped'> {
    const subscription = await this.subscriptions.findById(subscriptionId);
    if (!subscription?.email) {
      throw new PermanentError(`Subscription ${subscriptionId} does not exist or has no email`);
    }
    if (subscription.status !== 'pending') {
      return 'skipped';
    }
    const links = subscriberLinks(this.settings.PUBLIC_URL, this.settings.APP_SECRET, subscription.id, now);
    await this.email.sendConfirmation(subscription.email, subscription.id, links.confirm, subscription.topics);
    return 'sent';
  }
}
