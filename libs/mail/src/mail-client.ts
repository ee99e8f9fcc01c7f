import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { normaliseEmail, PermanentError } from '@libs/domain';
import { Settings } from '@libs/config';
import { composeMessage, MessageContent } from './message';
import { MailBusyError, MailSendRate, MailSlowDownError } from './send-rate';

/** A message to send; MAIL_FROM is the sender. */
export type OutgoingMail = Omit<MessageContent, 'from'>;

/** The receiving server refused the message for good (SMTP 5xx): a hard bounce. */
export class MailRejectedError extends PermanentError {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'MailRejectedError';
  }
}

export interface SentMail {
  messageId: string;
  response: string;
}

/** SMTP answers that mean "too fast, come back later": 421 (service busy, closing) and 454 (SES's "Throttling"). */
const SLOW_DOWN_CODES = new Set([421, 454]);
/** Within one send, waiting this long for a token beats re-queueing the job (a delayed job waits in Redis instead). */
const MAX_WAIT_IN_SEND_MS = 10_000;

/**
 * The only place that speaks SMTP. Pooled connections; nodemailer's own re-queueing is off so a retry is always
 * ours. Each message takes a token from the relay's shared limits first (MailSendRate).
 */
@Injectable()
export class MailClient implements OnModuleDestroy {
  private readonly logger = new Logger(MailClient.name);
  private readonly transport: Transporter;
  private readonly from: string;

  constructor(
    settings: Settings,
    private readonly rate: MailSendRate,
  ) {
    this.from = settings.MAIL_FROM;
    const url = new URL(settings.SMTP_URL);
    this.transport = createTransport({
      pool: true,
      maxConnections: 5,
      maxRequeues: 0,
      host: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
      secure: url.protocol === 'smtps:',
      auth: url.username
        ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
        : undefined,
      // A local relay or mail catcher usually has no certificate worth checking; opt in with ?tls=strict.
      tls: { rejectUnauthorized: url.searchParams.get('tls') === 'strict' },
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 60_000,
    });
  }

  async send(mail: OutgoingMail): Promise<SentMail> {
    // Rows stored before addresses were normalised may hold a quoted or odd spelling: one spelling goes out,
    // and an address that cannot be one (CR/LF, quotes) is never put in an envelope. Not echoed: logs keep no
    // addresses.
    const to = normaliseEmail(mail.to);
    if (to.problem !== undefined) {
      throw new PermanentError(`Not sent: the recipient address is refused (${to.problem})`);
    }
    const message = composeMessage({ ...mail, to: to.address, from: this.from });
    await this.waitForToken();
    try {
      // The id given again, or nodemailer would make one up for its raw message node (random bytes).
      const info = (await this.transport.sendMail({
        envelope: message.envelope,
        raw: message.raw,
        messageId: message.messageId,
      })) as { response: string };
      return { messageId: message.messageId, response: info.response };
    } catch (error) {
      const { responseCode: code, command } = error as { responseCode?: number; command?: string };
      if (code !== undefined && SLOW_DOWN_CODES.has(code)) {
        const pauseMs = await this.rate.slowDown();
        this.logger.warn(`The relay answered ${code} (slow down): every notifier pauses mail for ${pauseMs / 1000} s`);
        throw new MailSlowDownError(code, pauseMs, (error as Error).message);
      }
      // Only a 5xx refusal of the recipient is the address's fault (a hard bounce). A 5xx to our login,
      // our sender or the message (bad relay password, size) is ours: it must not suppress subscribers.
      if (code !== undefined && code >= 500 && command?.startsWith('RCPT')) {
        throw new MailRejectedError(code, `SMTP refused the recipient (${code}): ${(error as Error).message}`);
      }
      throw error;
    }
  }

  /** Waits for a token when one is near; a longer wait (a pause) is the job's, without using an attempt. */
  private async waitForToken(): Promise<void> {
    for (;;) {
      const wait = await this.rate.acquire();
      if (wait === 0) {
        return;
      }
      if (wait > MAX_WAIT_IN_SEND_MS) {
        throw new MailBusyError(wait);
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  onModuleDestroy(): void {
    this.transport.close();
  }
}
