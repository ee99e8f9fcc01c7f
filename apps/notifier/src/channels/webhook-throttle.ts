import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { Settings } from '@libs/config';
import { createRedisClient, RedisClient, redisKeyPrefix } from '@libs/queues';

/**
 * At most one message a second per Slack webhook, across every notifier replica (rate-limiter-flexible's
 * Redis limiter, keyed by a hash of the webhook: the URL is a credential). BullMQ's own limiter is per queue,
 * which would slow every webhook down to one message a second in all.
 */
@Injectable()
export class WebhookThrottle implements OnModuleDestroy {
  private readonly redis: RedisClient;
  private readonly limiter: RateLimiterRedis;

  constructor(settings: Settings) {
    this.redis = createRedisClient(settings.redis, WebhookThrottle.name, { maxRetriesPerRequest: 3 });
    this.limiter = new RateLimiterRedis({
      storeClient: this.redis,
      keyPrefix: `${redisKeyPrefix(settings, 'throttle')}:slack`,
      points: 1,
      duration: 1,
    });
  }

  /** Takes the webhook's slot for this second; returns 0 when taken, else how long (ms) until it frees. */
  async acquire(webhookUrl: string): Promise<number> {
    try {
      await this.limiter.consume(keyOf(webhookUrl));
      return 0;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        return Math.max(1, rejection.msBeforeNext);
      }
      throw rejection;
    }
  }

  /** Holds the webhook's slot for a while, when Slack asked us to wait (429 Retry-After, whole seconds). */
  async hold(webhookUrl: string, ms: number): Promise<void> {
    await this.limiter.block(keyOf(webhookUrl), Math.max(1, Math.ceil(ms / 1000)));
  }

  /** Frees the webhook's slot now (the window is over): what the next second would do. */
  async release(webhookUrl: string): Promise<void> {
    await this.limiter.delete(keyOf(webhookUrl));
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}

function keyOf(webhookUrl: string): string {
  return createHash('sha256').update(webhookUrl).digest('hex').slice(0, 32);
}
