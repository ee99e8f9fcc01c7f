import { Injectable } from '@nestjs/common';
import { Settings } from '@libs/config';
import {
  ConfirmationKind,
  ConfirmationSubscription,
  DigestView,
  renderAddressChangeApproval,
  renderConfirmationEmail,
} from '@libs/domain';
import { MailClient } from '@libs/mail';
import { DigestEmailBodies } from './digest-email-bodies';

/** Digest and confirmation emails, with the list headers mailbox providers require of bulk senders. */
@Injectable()
export class EmailChannel {
  private readonly host: string;
  /** Where mail clients that cannot POST send an unsubscribe request: the sender's own address. */
  private readonly unsubscribeMailbox: string;
  private readonly digestBodies = new DigestEmailBodies();

  constructor(
    private readonly mail: MailClient,
    settings: Settings,
  ) {
    this.host = new URL(settings.PUBLIC_URL).hostname;
    this.unsubscribeMailbox = /<([^<>]+)>\s*$/.exec(settings.MAIL_FROM)?.[1] ?? settings.MAIL_FROM.trim();
  }

  async sendDigest(to: string, digestId: string, view: DigestView): Promise<string> {
    const rendered = this.digestBodies.bodyOf(view);
    const sent = await this.mail.send({
      to,
      ...rendered,
      // Derived from the digest: a re-send after a crash carries the same id, so receivers can fold it.
      messageId: `<digest-${digestId}@${this.host}>`,
      headers: {
        'List-Id': `Paperboy digest <digest.${this.host}>`,
        // RFC 8058: mailbox providers POST "List-Unsubscribe=One-Click" to the https URL. Clients that
        // only know RFC 2369 mail the sender's address instead, with the signed token in the subject.
        'List-Unsubscribe': `<${view.unsubscribeUrl}>, <${this.unsubscribeMailto(view.unsubscribeUrl)}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    });
    return sent.response;
  }

  /**
   * `mailto:` the MAIL_FROM address, subject "unsubscribe <token>": Paperboy receives no mail, so the
   * operator routes that mailbox (a human, or a filter that opens the https link with the token).
   */
  private unsubscribeMailto(unsubscribeUrl: string): string {
    const token = new URL(unsubscribeUrl).searchParams.get('token') ?? '';
    return `mailto:${this.unsubscribeMailbox}?subject=${encodeURIComponent(`unsubscribe ${token}`)}`;
  }

  /** An operators' alert; the id is derived from the change, so a retried send can be folded. */
  async sendAlert(
    to: string,
    alertId: string,
    message: { subject: string; text: string; html: string },
  ): Promise<string> {
    const sent = await this.mail.send({ to, ...message, messageId: `<alert-${alertId}@${this.host}>` });
    return sent.response;
  }

  async sendConfirmation(
    to: string,
    subscription: ConfirmationSubscription & { id: string },
    confirmUrl: string,
    kind: ConfirmationKind,
  ): Promise<string> {
    const subscriptionId = subscription.id;
    const rendered = renderConfirmationEmail(confirmUrl, subscription, kind);
    const sent = await this.mail.send({ to, ...rendered, messageId: `<confirm-${subscriptionId}@${this.host}>` });
    return sent.response;
  }

  /** To the current address, when a manage link asks to move the digests to `newAddress`. */
  async sendAddressChangeApproval(
    to: string,
    subscriptionId: string,
    approveUrl: string,
    newAddress: string,
  ): Promise<string> {
    const rendered = renderAddressChangeApproval(approveUrl, newAddress);
    const sent = await this.mail.send({ to, ...rendered, messageId: `<approve-${subscriptionId}@${this.host}>` });
    return sent.response;
  }
}
