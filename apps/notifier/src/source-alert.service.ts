import { Injectable, Logger } from '@nestjs/common';
import { Settings } from '@libs/config';
import { SourceRepository } from '@libs/database';
import { PermanentError } from '@libs/domain';
import { EmailChannel } from './channels/email.channel';
import { SlackChannel } from './channels/slack.channel';
import { alertIdOf, renderSourceAlert, SourceAlert } from './source-alert';

export type AlertChannel = 'email' | 'slack';

export interface AlertOutcome {
  /** Each channel's provider answer, or why it was not used. */
  email: string;
  slack: string;
}

/** Sends the operators' alert about a change of a source's health to ALERT_EMAIL and ALERT_SLACK_WEBHOOK_URL. */
@Injectable()
export class SourceAlertService {
  private readonly logger = new Logger(SourceAlertService.name);

  constructor(
    private readonly settings: Settings,
    private readonly sources: SourceRepository,
    private readonly email: EmailChannel,
    private readonly slack: SlackChannel,
  ) {}

  /**
   * Sends to each configured channel not in `done`, calling `markDone` after each, so a retry after one
   * channel failed does not repeat the other.
   */
  async send(
    alert: SourceAlert,
    done: readonly AlertChannel[] = [],
    markDone: (channel: AlertChannel) => Promise<void> = () => Promise.resolve(),
  ): Promise<AlertOutcome> {
    const { ALERT_EMAIL: to, ALERT_SLACK_WEBHOOK_URL: webhookUrl } = this.settings;
    const outcome: AlertOutcome = { email: 'not configured', slack: 'not configured' };
    if (!to && !webhookUrl) {
      // The fetcher had a channel configured, this notifier has none: nothing to send, nothing to retry.
      this.logger.warn(`${alert.sourceId} is ${alert.health}: no ALERT_EMAIL or ALERT_SLACK_WEBHOOK_URL to tell`);
      return outcome;
    }
    const source = (await this.sources.health()).find((candidate) => candidate.id === alert.sourceId);
    if (!source) {
      throw new PermanentError(`Source "${alert.sourceId}" of the ${alert.health} alert no longer exists`);
    }
    const rendered = renderSourceAlert(alert, source);
    if (to) {
      if (done.includes('email')) {
        outcome.email = 'sent by an earlier attempt';
      } else {
        outcome.email = await this.email.sendAlert(to, alertIdOf(alert), rendered);
        await markDone('email');
      }
    }
    if (webhookUrl) {
      if (done.includes('slack')) {
        outcome.slack = 'sent by an earlier attempt';
      } else {
        outcome.slack = await this.slack.sendText(webhookUrl, rendered.slack);
        await markDone('slack');
      }
    }
    this.logger.log(`Alerted operators: ${rendered.subject}`);
    return outcome;
  }
}
