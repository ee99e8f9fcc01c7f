import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { Settings } from '@libs/config';
import { createRedisClient, RedisClient, redisKeyPrefix } from '@libs/queues';
import { clientBucket } from './client-bucket';

/**
 * Keeps the subscribe form from being a mail cannon: per client (in Redis, so every api replica counts
 * together; subscribing and asking for a new address count together). The per-address cap of confirmation
 * emails is the notifier's (ConfirmationCap), off the request path, so answers say nothing of an address.
 */
@Injectable()
export class SubscribeRateLimiter implements OnModuleDestroy {
  private readonly redis: RedisClient;
  private readonly perClient: RateLimiterRedis;

  constructor(settings: Settings) {
    this.redis = createRedisClient(settings.redis, SubscribeRateLimiter.name, {
      maxRetriesPerRequest: 2,
      enableOfflineQueue: false,
    });
    const prefix = redisKeyPrefix(settings, 'ratelimit');
    this.perClient = new RateLimiterRedis({ storeClient: this.redis, keyPrefix: `${prefix}:client`, points: settings.SUBSCRIBE_RATE_LIMIT, duration: 600 });
  }

  /**
   * Null when this client may subscribe (or ask for a new address) now; else the seconds until it may
   * (SUBSCRIBE_RATE_LIMIT per ten minutes, an IPv6 client's whole /64 together).
   */
  async admitClient(clientIp: string): Promise<number | null> {
    try {
      await this.perClient.consume(clientBucket(clientIp));
      return null;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      }
      throw rejection;
    }
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}
