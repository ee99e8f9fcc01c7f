import { Injectable, OnModuleDestroy } from '@nestjs/common';
import type Redis from 'ioredis';
import { createHash } from 'node:crypto';
import { Settings } from '@libs/config';
import { createRedisClient } from '@libs/queues';

/**
 * At most one message a second per Slack webhook, across every notifier replica: a Redis key per
 * webhook (hashed: the URL is a credential) that lives one second. BullMQ's own limiter is per queue,
 * which would slow every webhook down to one message a second in all.
 */
@Injectable()
export class WebhookThrottle implements OnModuleDestroy {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(settings: Settings) {
    this.redis = createRedisClient(settings.REDIS_URL, WebhookThrottle.name, { maxRetriesPerRequest: 3 });
    this.prefix = `${settings.QUEUE_PREFIX}:throttle:slack:`;
  }

  /** Takes the webhook's slot for `intervalMs`; returns 0 when taken, else how long until it frees. */
  async acquire(webhookUrl: string, intervalMs = 1000): Promise<number> {
    const key = this.prefix + createHash('sha256').update(webhookUrl).digest('hex').slice(0, 32);
    const taken = await this.redis.set(key, '1', 'PX', intervalMs, 'NX');
    if (taken === 'OK') {
      return 0;
    }
    return Math.max(1, await this.redis.pttl(key));
  }

  /** Holds the webhook's slot for a while, when Slack asked us to wait (429 Retry-After). */
  async hold(webhookUrl: string, ms: number): Promise<void> {
    const key = this.prefix + createHash('sha256').update(webhookUrl).digest('hex').slice(0, 32);
    await this.redis.set(key, '1', 'PX', Math.max(1, ms));
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}
