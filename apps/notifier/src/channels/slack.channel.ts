import { Injectable } from '@nestjs/common';
import { DigestView, PermanentError, renderSlackMessages, RetryLaterError } from '@libs/domain';
import { HttpClient, HttpResponse } from '@libs/http';
import { WebhookThrottle } from './webhook-throttle';

/** Slack said the webhook is gone for good: the channel is disabled, with this reason. */
export class SlackChannelGoneError extends PermanentError {
  constructor(readonly reason: string) {
    super(`Slack webhook is gone: ${reason}`);
    this.name = 'SlackChannelGoneError';
  }
}

const GONE_ANSWERS = ['no_service', 'channel_is_archived', 'channel_not_found', 'no_team', 'team_disabled', 'invalid_token'];
/** Within one job, waiting this long for the webhook's next slot beats re-queueing a half-sent digest. */
const MAX_WAIT_IN_JOB_MS = 30_000;

/** Posts digests to Slack incoming webhooks. The webhook URL is a credential: it never reaches logs or job data. */
@Injectable()
export class SlackChannel {
  constructor(
    private readonly http: HttpClient,
    private readonly throttle: WebhookThrottle,
  ) {}

  /**
   * Sends the digest as one message, or several for a long one, at most one a second per webhook.
   * Before the first message a busy webhook delays the job (no attempt used); between messages it waits.
   * A retry starts after the messages an earlier attempt got accepted (`alreadySent`), reported by `onSent`.
   */
  async sendDigest(
    webhookUrl: string,
    view: DigestView,
    alreadySent = 0,
    onSent: (partsSent: number) => Promise<void> = () => Promise.resolve(),
  ): Promise<string> {
    const messages = renderSlackMessages(view);
    const answers: string[] = [];
    for (const [index, message] of messages.entries()) {
      if (index < alreadySent) {
        continue;
      }
      const first = index === alreadySent;
      await this.waitForSlot(webhookUrl, first);
      let response = await this.post(webhookUrl, message);
      if (response.status === 429 && !first) {
        const wait = retryAfterMs(response);
        if (wait <= MAX_WAIT_IN_JOB_MS) {
          await sleep(wait);
          response = await this.post(webhookUrl, message);
        }
      }
      answers.push(await this.check(webhookUrl, response, first));
      await onSent(index + 1);
    }
    return answers.join('; ');
  }

  /** Posts one plain message (an operators' alert), with the same pacing and answers as a digest's first message. */
  async sendText(webhookUrl: string, text: string): Promise<string> {
    await this.waitForSlot(webhookUrl, true);
    return this.check(webhookUrl, await this.post(webhookUrl, { text }), true);
  }

  private async waitForSlot(webhookUrl: string, first: boolean): Promise<void> {
    for (;;) {
      const wait = await this.throttle.acquire(webhookUrl);
      if (wait === 0) {
        return;
      }
      if (first) {
        throw new RetryLaterError(wait, `Slack webhook busy for ${wait} ms (one message a second)`);
      }
      await sleep(wait);
    }
  }

  private post(webhookUrl: string, message: unknown): Promise<HttpResponse> {
    return this.http.request({
      url: webhookUrl,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
      timeoutMs: 10_000,
      maxBytes: 64 * 1024,
      followRedirects: false,
    });
  }

  private async check(webhookUrl: string, response: HttpResponse, first: boolean): Promise<string> {
    const answer = response.body.toString('utf8').slice(0, 200).trim();
    if (response.status >= 200 && response.status < 300) {
      return `HTTP ${response.status} ${answer}`;
    }
    if (response.status === 429) {
      const wait = retryAfterMs(response);
      await this.throttle.hold(webhookUrl, wait);
      if (first) {
        throw new RetryLaterError(wait, `Slack rate-limited the webhook (429, Retry-After ${wait / 1000} s)`);
      }
      throw new Error(`Slack rate-limited the webhook in the middle of a digest (429): ${answer}`);
    }
    if (response.status >= 500) {
      throw new Error(`Slack answered HTTP ${response.status}: ${answer}`);
    }
    if (response.status === 404 || response.status === 410 || GONE_ANSWERS.includes(answer)) {
      throw new SlackChannelGoneError(`HTTP ${response.status} ${answer}`);
    }
    // 400 invalid_payload and the like: our message is wrong, resending the same cannot help.
    throw new PermanentError(`Slack refused the message with HTTP ${response.status}: ${answer}`);
  }
}

function retryAfterMs(response: HttpResponse): number {
  const seconds = Number(response.headers['retry-after']);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 3600) * 1000 : 1000;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
