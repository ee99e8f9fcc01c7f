import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { Settings } from '@libs/config';
import { createRedisClient, RedisClient, redisKeyPrefix } from '@libs/queues';

/** Confirmation emails one address may get in a day, whoever asks (every notifier replica counts together). */
export const CONFIRMATIONS_PER_ADDRESS_PER_DAY = 3;

/**
 * The daily cap of confirmation emails per address. It is applied here, where the emails are sent, not where
 * they are asked for: the api answers every request the same way, at the same cost, so neither its answer nor
 * its timing says whether an address is at its cap, and what the cap limits is emails, not subscriptions.
 */
@Injectable()
export class ConfirmationCap implements OnModuleDestroy {
  private readonly redis: RedisClient;
  private readonly limiter: RateLimiterRedis;

  constructor(settings: Settings) {
    this.redis = createRedisClient(settings.redis, ConfirmationCap.name, { maxRetriesPerRequest: 3 });
    this.limiter = new RateLimiterRedis({
      storeClient: this.redis,
      // The key the api used before the cap moved here: counts carry over an upgrade.
      keyPrefix: `${redisKeyPrefix(settings, 'ratelimit')}:address`,
      points: CONFIRMATIONS_PER_ADDRESS_PER_DAY,
      duration: 86_400,
    });
  }

  /**
   * Sends through `send` if the address has an email left today, and returns true; false (nothing sent) when
   * it has none. A send that fails gives its email back, so a retried job does not use up the day.
   */
  async within(address: string, send: () => Promise<unknown>): Promise<boolean> {
    const key = createHash('sha256').update(address).digest('hex');
    try {
      await this.limiter.consume(key);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        return false;
      }
      throw rejection;
    }
    try {
      await send();
      return true;
    } catch (error) {
      await this.limiter.reward(key, 1).catch(() => undefined);
      throw error;
    }
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}
