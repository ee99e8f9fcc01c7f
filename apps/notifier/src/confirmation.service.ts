import { Injectable } from '@nestjs/common';
import { Settings } from '@libs/config';
import { SubscriptionRepository } from '@libs/database';
import { emailChangeConfirmUrl, PermanentError, subscriberLinks } from '@libs/domain';
import { EmailChannel } from './channels/email.channel';

/** Sends the double opt-in email of a pending email subscription, or of a subscription's new address. */
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
    await this.email.sendConfirmation(subscription.email, subscription, links.confirm, 'subscription');
    return 'sent';
  }

  /**
   * The confirmation of the address awaiting it (PATCH email). Skipped once it was confirmed or replaced by
   * none; a newer address gets the link of the newer one (each link names its address).
   */
  async sendEmailChange(subscriptionId: string, now: Date = new Date()): Promise<'sent' | 'skipped'> {
    const subscription = await this.subscriptions.findById(subscriptionId);
    if (!subscription) {
      throw new PermanentError(`Subscription ${subscriptionId} does not exist`);
    }
    if (!subscription.pendingEmail || subscription.status === 'unsubscribed') {
      return 'skipped';
    }
    const { APP_SECRET, PUBLIC_URL } = this.settings;
    const confirmUrl = emailChangeConfirmUrl(PUBLIC_URL, APP_SECRET, subscription.id, subscription.pendingEmail, now);
    await this.email.sendConfirmation(subscription.pendingEmail, subscription, confirmUrl, 'address');
    return 'sent';
  }
}
