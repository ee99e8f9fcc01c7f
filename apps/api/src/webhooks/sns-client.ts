import { Injectable, Logger, OnModuleDestroy, ServiceUnavailableException } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { Settings } from '@libs/config';
import { forged } from './providers/provider-event';
import { snsUrlProblem } from './providers/ses-sns';

const MAX_CERTIFICATE_BYTES = 16 * 1024;
const MAX_CACHED = 32;
const TIMEOUT_MS = 10_000;

/**
 * Speaks to SNS: fetches signing certificates (cached: SNS signs with a few, rotated rarely) and confirms
 * subscriptions. Only https on sns.<region>.amazonaws.com; no redirects. Undici directly rather than the
 * shared HttpClient: that one cannot trust a test CA, and SNS's hosts need none of its SSRF policy.
 */
@Injectable()
export class SnsClient implements OnModuleDestroy {
  private readonly logger = new Logger(SnsClient.name);
  private readonly agent: Agent;
  private readonly testHost: string | undefined;
  private readonly certificates = new Map<string, Promise<string>>();

  constructor(settings: Settings) {
    this.testHost = settings.MAIL_WEBHOOK_SNS_TEST_HOST;
    const ca = settings.MAIL_WEBHOOK_SNS_TEST_CA;
    this.agent = new Agent({ connect: ca ? { ca: readFileSync(ca, 'utf8') } : {} });
  }

  /** The PEM at SigningCertURL; 401 for a URL off SNS's hosts or an answer that is no certificate. */
  certificate(url: string): Promise<string> {
    const problem = snsUrlProblem(url, this.testHost);
    if (problem !== null) {
      return Promise.reject(forged(`SigningCertURL ${problem}`));
    }
    let cached = this.certificates.get(url);
    if (!cached) {
      cached = this.get(url, 'the signing certificate').then((pem) => {
        if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
          throw forged('SigningCertURL does not serve a certificate');
        }
        return pem;
      });
      if (this.certificates.size >= MAX_CACHED) {
        this.certificates.delete(this.certificates.keys().next().value as string);
      }
      this.certificates.set(url, cached);
      // A failed fetch is not kept: the next message tries again.
      cached.catch(() => this.certificates.delete(url));
    }
    return cached;
  }

  /** Visits the SubscribeURL of a verified SubscriptionConfirmation, as SNS asks. */
  async confirm(subscribeUrl: string): Promise<void> {
    const problem = snsUrlProblem(subscribeUrl, this.testHost);
    if (problem !== null) {
      throw forged(`SubscribeURL ${problem}`);
    }
    await this.get(subscribeUrl, 'the subscription confirmation');
    this.logger.log(`SNS subscription confirmed (${new URL(subscribeUrl).host})`);
  }

  private async get(url: string, what: string): Promise<string> {
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(url, {
        dispatcher: this.agent,
        method: 'GET',
        headersTimeout: TIMEOUT_MS,
        bodyTimeout: TIMEOUT_MS,
      });
    } catch (error) {
      // SNS retries a message we could not take: this one is not refused, it is to come again.
      throw new ServiceUnavailableException(
        `SNS could not be reached for ${what}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_CERTIFICATE_BYTES) {
        response.body.destroy();
        throw forged(`SNS answered ${what} with more than ${MAX_CERTIFICATE_BYTES} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    if (response.statusCode >= 500) {
      // SNS's own trouble: answered 503, so SNS delivers the message again (it gives up after a 4xx).
      throw new ServiceUnavailableException(`SNS answered ${response.statusCode} for ${what}; try again`);
    }
    if (response.statusCode !== 200) {
      throw forged(`SNS answered ${response.statusCode} for ${what}`);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  async onModuleDestroy(): Promise<void> {
    await this.agent.close();
  }
}
