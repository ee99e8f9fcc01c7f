import { Injectable } from '@nestjs/common';
import { PermanentError } from '@libs/domain';
import { HttpClient } from '@libs/http';
import { renderSlackMessage } from '../templates/slack-message';
import { DigestView } from '../templates/digest-view';

/** Posts digests to Slack incoming webhooks. The webhook URL is a credential: it never reaches logs or job data. */
@Injectable()
export class SlackChannel {
  constructor(private readonly http: HttpClient) {}

  async sendDigest(webhookUrl: string, view: DigestView): Promise<string> {
    const response = await this.http.request({
      url: webhookUrl,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(renderSlackMessage(view)),
      timeoutMs: 10_000,
      maxBytes: 64 * 1024,
      followRedirects: false,
    });
    const answer = response.body.toString('utf8').slice(0, 200);
    if (response.status >= 200 && response.status < 300) {
      return `HTTP ${response.status} ${answer}`;
    }
    if (response.status === 429 || response.status >= 500) {
      const retryAfter = response.headers['retry-after'];
      throw new Error(`Slack answered HTTP ${response.status}${retryAfter ? ` (Retry-After ${retryAfter}s)` : ''}: ${answer}`);
    }
    // 400 invalid_payload, 403 action_prohibited, 404 no_service, 410 channel_is_archived: resending cannot help.
    throw new PermanentError(`Slack refused the message with HTTP ${response.status}: ${answer}`);
  }
}
