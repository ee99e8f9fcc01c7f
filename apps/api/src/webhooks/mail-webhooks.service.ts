import { ForbiddenException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { KeyObject } from 'node:crypto';
import { Settings } from '@libs/config';
import { MailEventRepository } from '@libs/database';
import { Clock } from '@libs/domain';
import { readMailgun } from './providers/mailgun';
import { readPostmark, verifyPostmark } from './providers/postmark';
import { ReadReports, SIGNATURE_TOLERANCE_MS } from './providers/provider-event';
import { readSendgrid, sendgridKey, verifySendgrid } from './providers/sendgrid';
import { parseSnsMessage, readSesNotification, verifySnsFreshness, verifySnsSignature } from './providers/ses-sns';
import { SnsClient } from './sns-client';
import { WebhookTokens } from './webhook-tokens';

export const MAIL_PROVIDERS = ['ses', 'postmark', 'sendgrid', 'mailgun'] as const;
export type MailProvider = (typeof MAIL_PROVIDERS)[number];

/** What a webhook call did. */
export interface MailWebhookAnswer {
  provider: MailProvider;
  /** Bounces and complaints read from the request. */
  events: number;
  /** Of those, the ones seen for the first time (a replay records none). */
  recorded: number;
  /** Subscriptions suppressed or unsubscribed by them. */
  subscriptionsAffected: number;
  /** Reports Paperboy does not act on (deliveries, opens, soft bounces). */
  ignored: number;
  /** SNS only: a SubscriptionConfirmation was confirmed. */
  confirmed?: boolean;
}

export type WebhookHeaders = Record<string, string | string[] | undefined>;

/**
 * Bounce and complaint webhooks: each provider's request verified its own way (a forged one is 401), its
 * reports read (a malformed one is 400), then each event stored once and applied (MailEventRepository).
 * A provider whose settings are not set has no route (404).
 */
@Injectable()
export class MailWebhooksService {
  private readonly logger = new Logger(MailWebhooksService.name);
  private readonly sendgrid: KeyObject | null;
  private readonly sesTopics: Set<string>;

  constructor(
    private readonly settings: Settings,
    private readonly events: MailEventRepository,
    private readonly sns: SnsClient,
    private readonly clock: Clock,
    private readonly tokens: WebhookTokens,
  ) {
    const key = settings.MAIL_WEBHOOK_SENDGRID_PUBLIC_KEY;
    this.sendgrid = key === undefined ? null : sendgridKey(key);
    this.sesTopics = new Set(
      (settings.MAIL_WEBHOOK_SES_TOPIC_ARNS ?? '')
        .split(',')
        .map((arn) => arn.trim())
        .filter(Boolean),
    );
  }

  async receive(provider: string, headers: WebhookHeaders, body: string): Promise<MailWebhookAnswer> {
    const known = this.enabledProvider(provider);
    const now = this.clock.now();
    let read: ReadReports;
    let confirmed: boolean | undefined;
    switch (known) {
      case 'ses': {
        const result = await this.readSes(body, now);
        read = result.read;
        confirmed = result.confirmed;
        break;
      }
      case 'postmark':
        verifyPostmark(
          header(headers, 'authorization'),
          this.settings.MAIL_WEBHOOK_POSTMARK_USER as string,
          this.settings.MAIL_WEBHOOK_POSTMARK_PASSWORD as string,
        );
        read = readPostmark(body);
        break;
      case 'sendgrid':
        verifySendgrid(this.sendgrid as KeyObject, headers, body, now);
        read = readSendgrid(body);
        break;
      case 'mailgun': {
        const mailgun = readMailgun(body, this.settings.MAIL_WEBHOOK_MAILGUN_SIGNING_KEY as string, now);
        // A timestamp is taken up to the tolerance either side of now: its token is remembered that long.
        await this.tokens.bind(known, mailgun.token, body, 2 * SIGNATURE_TOLERANCE_MS + 60_000);
        read = mailgun;
        break;
      }
    }
    const { recorded, subscriptionsAffected } = await this.events.recordBatch(
      read.events.map((event) => ({ ...event, provider: known })),
      now,
    );
    if (recorded > 0) {
      // No addresses in logs: counts only.
      this.logger.log(
        `${known}: ${recorded} bounce/complaint events, ${subscriptionsAffected} subscriptions suppressed`,
      );
    }
    return {
      provider: known,
      events: read.events.length,
      recorded,
      subscriptionsAffected,
      ignored: read.ignored,
      ...(confirmed === undefined ? {} : { confirmed }),
    };
  }

  /** The provider, when its settings are set; 404 otherwise (an unset provider has no route). */
  private enabledProvider(provider: string): MailProvider {
    const on: Record<MailProvider, boolean> = {
      ses: this.sesTopics.size > 0,
      postmark: this.settings.MAIL_WEBHOOK_POSTMARK_PASSWORD !== undefined,
      sendgrid: this.sendgrid !== null,
      mailgun: this.settings.MAIL_WEBHOOK_MAILGUN_SIGNING_KEY !== undefined,
    };
    if (!(MAIL_PROVIDERS as readonly string[]).includes(provider) || !on[provider as MailProvider]) {
      throw new NotFoundException(`No mail webhook for "${provider}" here`);
    }
    return provider as MailProvider;
  }

  /**
   * SNS: signature first (with the certificate it names, from SNS's own host), then its age, the topic and the
   * type.
   */
  private async readSes(body: string, now: Date): Promise<{ read: ReadReports; confirmed?: boolean }> {
    const message = parseSnsMessage(body);
    verifySnsSignature(message, await this.sns.certificate(message.SigningCertURL));
    verifySnsFreshness(message, now);
    if (!this.sesTopics.has(message.TopicArn)) {
      throw new ForbiddenException(`Topic ${message.TopicArn} is not in MAIL_WEBHOOK_SES_TOPIC_ARNS`);
    }
    switch (message.Type) {
      case 'SubscriptionConfirmation':
        await this.sns.confirm(message.SubscribeURL as string);
        return { read: { events: [], ignored: 0 }, confirmed: true };
      case 'UnsubscribeConfirmation':
        this.logger.warn(`SNS: the subscription to ${message.TopicArn} was removed; no more SES events come`);
        return { read: { events: [], ignored: 1 } };
      case 'Notification':
        return { read: readSesNotification(message) };
    }
  }
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
