import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { normaliseEmail, PermanentError } from '@libs/domain';
import { Settings } from '@libs/config';
import { composeMessage, MessageContent } from './message';

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

/** The only place that speaks SMTP. Pooled connections; nodemailer's own re-queueing is off so a retry is always ours. */
@Injectable()
export class MailClient implements OnModuleDestroy {
  private readonly transport: Transporter;
  private readonly from: string;

  constructor(settings: Settings) {
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
      // nodemailer's pool paces sends itself: rateLimit messages per rateDelta milliseconds.
      ...(settings.SMTP_RATE_LIMIT > 0 ? { rateLimit: settings.SMTP_RATE_LIMIT, rateDelta: 1000 } : {}),
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
    try {
      const message = composeMessage({ ...mail, to: to.address, from: this.from });
      // The id given again, or nodemailer would make one up for its raw message node (random bytes).
      const info = (await this.transport.sendMail({
        envelope: message.envelope,
        raw: message.raw,
        messageId: message.messageId,
      })) as { response: string };
      return { messageId: message.messageId, response: info.response };
    } catch (error) {
      const { responseCode: code, command } = error as { responseCode?: number; command?: string };
      // Only a 5xx refusal of the recipient is the address's fault (a hard bounce). A 5xx to our login,
      // our sender or the message (bad relay password, size) is ours: it must not suppress subscribers.
      if (code !== undefined && code >= 500 && command?.startsWith('RCPT')) {
        throw new MailRejectedError(code, `SMTP refused the recipient (${code}): ${(error as Error).message}`);
      }
      throw error;
    }
  }

  onModuleDestroy(): void {
    this.transport.close();
  }
}
