import { ConflictException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import {
  DeliveryForResend,
  DeliveryLogEntry,
  DeliveryLogRepository,
  MailEventEntry,
  MailEventRepository,
} from '@libs/database';
import { JobName, JobProducer } from '@libs/queues';

export interface DeliveryLogPage {
  subscriptionId: string;
  items: DeliveryLogEntry[];
  page: number;
  limit: number;
  total: number;
  /** Since when no email goes to the address (hard bounces, a complaint); null while it gets mail. */
  emailSuppressedAt: Date | null;
  /** The newest bounces and complaints providers reported for the address (their webhooks), newest first. */
  mailEvents: MailEventEntry[];
}

/** How many provider events the log shows. */
const MAIL_EVENTS_SHOWN = 20;

export interface ResendAnswer {
  id: string;
  status: 'pending';
  /** false when Redis refused the job: the notifier's sweep queues the pending delivery within minutes. */
  queued: boolean;
}

/**
 * Operators' view of the delivery ledger, and their resend. Only a failed delivery can be resent: the
 * notifier sends a delivery only after claiming it from pending, so a sent one would need a second
 * delivery row (not supported: it would also break "each paper once"), and a pending or sending one is
 * already on its way (the sweep re-queues it if its job was lost).
 */
@Injectable()
export class AdminDeliveriesService {
  private readonly logger = new Logger(AdminDeliveriesService.name);

  constructor(
    private readonly log: DeliveryLogRepository,
    private readonly producer: JobProducer,
    private readonly mailEvents: MailEventRepository,
  ) {}

  async deliveriesOf(subscriptionId: string, page: number, limit: number): Promise<DeliveryLogPage> {
    if (!(await this.log.subscriptionExists(subscriptionId))) {
      throw new NotFoundException(`No subscription ${subscriptionId}`);
    }
    const [{ items, total }, { emailSuppressedAt, events }] = await Promise.all([
      this.log.forSubscription(subscriptionId, { limit, offset: (page - 1) * limit }),
      this.mailEvents.forSubscription(subscriptionId, MAIL_EVENTS_SHOWN),
    ]);
    return { subscriptionId, items, page, limit, total, emailSuppressedAt, mailEvents: events };
  }

  async resend(deliveryId: string): Promise<ResendAnswer> {
    const delivery = await this.log.findForResend(deliveryId);
    if (!delivery) {
      throw new NotFoundException(`No delivery ${deliveryId}`);
    }
    const refusal = whyNotResendable(delivery);
    if (refusal) {
      throw new ConflictException(refusal);
    }
    if (!(await this.log.reopenFailed(deliveryId))) {
      throw new ConflictException(`Delivery ${deliveryId} is no longer failed: another resend or send got there first`);
    }
    // Postgres now says the delivery is owed; the job only carries it, so a Redis failure loses nothing.
    let queued = true;
    try {
      await this.producer.requeue(JobName.DeliverySend, { deliveryId });
    } catch (error) {
      queued = false;
      this.logger.warn(
        `delivery ${deliveryId} reopened but not queued: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    this.logger.log(`delivery ${deliveryId} (${delivery.channel}) resent by an operator`);
    return { id: deliveryId, status: 'pending', queued };
  }
}

/** Why a delivery cannot be sent again now, or null when it can. */
export function whyNotResendable(delivery: DeliveryForResend): string | null {
  switch (delivery.status) {
    case 'sent':
      return `Delivery ${delivery.id} was sent at ${delivery.sentAt?.toISOString() ?? 'an unknown time'}; sending it again would duplicate it (only failed deliveries can be resent)`;
    case 'pending':
    case 'sending':
      return `Delivery ${delivery.id} is ${delivery.status}: it is already on its way (only failed deliveries can be resent)`;
    case 'failed':
      break;
  }
  if (delivery.subscriptionStatus !== 'active') {
    return `Subscription ${delivery.subscriptionId} is ${delivery.subscriptionStatus}; nothing is sent to it`;
  }
  if (delivery.channel === 'email' && (!delivery.hasEmail || delivery.emailSuppressedAt)) {
    return delivery.hasEmail
      ? `The subscription's address is suppressed after hard bounces or a complaint (since ${delivery.emailSuppressedAt?.toISOString()}; the delivery log lists the provider's reports)`
      : 'The subscription has no email address any more';
  }
  if (delivery.channel === 'slack' && (!delivery.hasSlack || delivery.slackDisabledAt)) {
    return delivery.hasSlack
      ? `The subscription's Slack channel is disabled (${delivery.slackDisabledReason ?? 'no reason recorded'})`
      : 'The subscription has no Slack webhook any more';
  }
  return null;
}
