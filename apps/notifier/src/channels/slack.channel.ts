import { Injectable } from '@nestjs/common';
import { DigestView, PermanentError, renderSlackMessages, RetryLaterError } from '@libs/domain';
import { HttpClient, HttpClientError, HttpResponse } from '@libs/http';
import { WebhookThrottle } from './webhook-throttle';

/** Slack said the webhook is gone for good: the channel is disabled, with this reason. */
export class SlackChannelGoneError extends PermanentError {
  constructor(readonly reason: string) {
    super(`Slack webhook is gone: ${reason}`);
    this.name = 'SlackChannelGoneError';
  }
}

/** The webhook's slot is taken (our own pacing, or a 429's wait): nothing was sent, so no attempt was made. */
export class WebhookBusyError extends RetryLaterError {
  constructor(delayMs: number) {
    super(delayMs, `Slack webhook busy for ${delayMs} ms (one message a second)`);
    this.name = 'WebhookBusyError';
  }
}

/** Slack answered 429 to the first message: an attempt, but not a failure; come back after Retry-After. */
export class SlackRateLimitedError extends RetryLaterError {
  constructor(delayMs: number) {
    super(delayMs, `Slack rate-limited the webhook (429, Retry-After ${delayMs / 1000} s)`);
    this.name = 'SlackRateLimitedError';
  }
}

const GONE_ANSWERS = [
  'no_service',
  'channel_is_archived',
  'channel_not_found',
  'no_team',
  'team_disabled',
  'invalid_token',
];
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
    // Unfurled as little as a digest: Slack's fetch of a link is no person's, and its preview is noise here.
    const message = { text, unfurl_links: false, unfurl_media: false };
    return this.check(webhookUrl, await this.post(webhookUrl, message), true);
  }

  private async waitForSlot(webhookUrl: string, first: boolean): Promise<void> {
    for (;;) {
      const wait = await this.throttle.acquire(webhookUrl);
      if (wait === 0) {
        return;
      }
      if (first) {
        throw new WebhookBusyError(wait);
      }
      await sleep(wait);
    }
  }

  private async post(webhookUrl: string, message: unknown): Promise<HttpResponse> {
    try {
      return await this.http.request({
        url: webhookUrl,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message),
        timeoutMs: 10_000,
        maxBytes: 64 * 1024,
        followRedirects: false,
      });
    } catch (error) {
      const scrubbed = withoutWebhookPath(error, webhookUrl);
      if (scrubbed instanceof HttpClientError && scrubbed.kind === 'blocked-target') {
        // The SSRF guard refused the webhook's address: retrying the same address cannot help. The channel stays
        // on (a resolver's blip must not disable every subscriber's Slack); the next digest tries again.
        throw new PermanentError(`Slack webhook not sent: ${scrubbed.message}`);
      }
      throw scrubbed;
    }
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
        throw new SlackRateLimitedError(wait);
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

/**
 * The HTTP client's error again, naming the webhook's host only. The client keeps the path of URLs it does not
 * know to be secret, and a webhook's path is its credential whatever the host (GovSlack, a Mattermost-compatible
 * server, `hooks.slack.com.` with its trailing dot), so it would reach the ledger's lastError, the logs and the
 * job's failure reason. The kind (hence `transient`) stays, and the cause (which may quote the URL) is dropped.
 */
export function withoutWebhookPath(error: unknown, webhookUrl: string): Error {
  const host = hostOf(webhookUrl);
  const scrub = (text: string): string => scrubWebhook(text, webhookUrl);
  if (error instanceof HttpClientError) {
    return new HttpClientError(error.kind, error.method, host, scrub(error.detail));
  }
  return new Error(`POST ${host}: ${scrub(error instanceof Error ? error.message : String(error))}`);
}

/** `https://host`: what of a webhook URL may be shown. */
export function hostOf(webhookUrl: string): string {
  try {
    const url = new URL(webhookUrl);
    return `${url.protocol}//${url.host}`;
  } catch {
    return '(unparseable URL)';
  }
}

/** The text without the webhook URL or its path, should a lower layer have quoted them. */
function scrubWebhook(text: string, webhookUrl: string): string {
  let path = '';
  try {
    path = new URL(webhookUrl).pathname;
  } catch {
    // Unparseable: only the whole string can be looked for.
  }
  const secrets = [webhookUrl, path.length > 1 ? path : ''].filter(Boolean);
  return secrets.reduce((scrubbed, secret) => scrubbed.split(secret).join('/…'), text);
}

function retryAfterMs(response: HttpResponse): number {
  const seconds = Number(response.headers['retry-after']);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 3600) * 1000 : 1000;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
