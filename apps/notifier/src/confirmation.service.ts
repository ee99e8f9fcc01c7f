import { Injectable, Logger } from '@nestjs/common';
import { Settings } from '@libs/config';
import { SubscriptionRepository } from '@libs/database';
import { Clock, emailChangeApproveUrl, emailChangeConfirmUrl, PermanentError, subscriberLinks } from '@libs/domain';
import { EmailChannel } from './channels/email.channel';
import { ConfirmationCap } from './confirmation-cap';

export type ConfirmationOutcome = 'sent' | 'skipped' | 'capped';

/**
 * Sends the double opt-in email of a pending email subscription, or the two emails of an address change
 * (a link to the new address, an approval link to the current one), each within its address's daily cap.
 */
@Injectable()
export class ConfirmationService {
  private readonly logger = new Logger(ConfirmationService.name);

  constructor(
    private readonly settings: Settings,
    private readonly subscriptions: SubscriptionRepository,
    private readonly email: EmailChannel,
    private readonly cap: ConfirmationCap,
    private readonly clock: Clock,
  ) {}

  async send(subscriptionId: string, now: Date = this.clock.now()): Promise<ConfirmationOutcome> {
    const subscription = await this.subscriptions.findById(subscriptionId);
    if (!subscription?.email) {
      throw new PermanentError(`Subscription ${subscriptionId} does not exist or has no email`);
    }
    if (subscription.status !== 'pending') {
      return 'skipped';
    }
    const links = subscriberLinks(this.settings.PUBLIC_URL, this.settings.APP_SECRET, subscription, now);
    const to = subscription.email;
    const sent = await this.cap.within(to, () =>
      this.email.sendConfirmation(to, subscription, links.confirm, 'subscription'),
    );
    return sent ? 'sent' : this.capped(subscription.id);
  }

  /**
   * The emails of the address awaiting confirmation (PATCH email). Skipped once it was confirmed or replaced by
   * none; a newer address gets the links of the newer one (each link names its address). The current address
   * is asked to approve when it is confirmed and still receiving mail.
   */
  async sendEmailChange(subscriptionId: string, now: Date = this.clock.now()): Promise<ConfirmationOutcome> {
    const subscription = await this.subscriptions.findById(subscriptionId);
    if (!subscription) {
      throw new PermanentError(`Subscription ${subscriptionId} does not exist`);
    }
    const newAddress = subscription.pendingEmail;
    if (!newAddress || subscription.status === 'unsubscribed') {
      return 'skipped';
    }
    const { APP_SECRET, PUBLIC_URL } = this.settings;
    const current = subscription.email;
    const approval =
      subscription.status === 'active' && current !== null && !subscription.emailSuppressedAt && current !== newAddress;
    let sent = true;
    if (!subscription.pendingEmailConfirmedAt) {
      const confirmUrl = emailChangeConfirmUrl(PUBLIC_URL, APP_SECRET, subscription.id, newAddress, now);
      sent = await this.cap.within(newAddress, () =>
        this.email.sendConfirmation(newAddress, subscription, confirmUrl, 'address'),
      );
    }
    if (approval && current !== null && !subscription.pendingEmailApprovedAt) {
      const approveUrl = emailChangeApproveUrl(PUBLIC_URL, APP_SECRET, subscription.id, newAddress, now);
      sent =
        (await this.cap.within(current, () =>
          this.email.sendAddressChangeApproval(current, subscription.id, approveUrl, newAddress),
        )) && sent;
    }
    return sent ? 'sent' : this.capped(subscription.id);
  }

  /** Logged by subscription, never by address (logs keep no addresses). */
  private capped(subscriptionId: string): 'capped' {
    this.logger.log(`Confirmation of subscription ${subscriptionId} not sent: the address got its emails for today`);
    return 'capped';
  }
}
