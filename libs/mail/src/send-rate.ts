import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RedisTarget, Settings } from '@libs/config';
import { RetryLaterError } from '@libs/domain';
import { createRedisClient, RedisClient, redisKeyPrefix } from '@libs/queues';

/** No token for a while (the relay's limit, or a shared pause): nothing was sent, so no attempt was made. */
export class MailBusyError extends RetryLaterError {
  constructor(delayMs: number) {
    super(
      delayMs,
      `Mail sending paused for ${delayMs} ms (MAIL_RATE_PER_SECOND / MAIL_RATE_PER_MINUTE, or the relay asked us to slow down)`,
    );
    this.name = 'MailBusyError';
  }
}

/** The relay answered 421 or 454 ("slow down"): an attempt, not a failure; every replica pauses. */
export class MailSlowDownError extends RetryLaterError {
  constructor(
    readonly responseCode: number,
    delayMs: number,
    message: string,
  ) {
    super(delayMs, `The relay asked us to slow down (${responseCode}): ${message}`);
    this.name = 'MailSlowDownError';
  }
}

const RELAY = 'relay';

/**
 * The relay's limits, held across every notifier replica in Redis (rate-limiter-flexible's Redis limiter):
 * a bucket of MAIL_RATE_PER_SECOND tokens that fills again each second, another of MAIL_RATE_PER_MINUTE
 * each minute, and a pause key every replica reads before sending, held after a 421/454 answer.
 * Keys are of the `mail` family (redisKeyPrefix): on a Redis Cluster, one hash tag puts them in one slot.
 */
@Injectable()
export class MailSendRate implements OnModuleDestroy {
  private redis: RedisClient | null = null;
  private readonly limiters: RateLimiterRedis[] = [];
  private readonly pause: RateLimiterRedis;
  private readonly pauseSeconds: number;
  private readonly storeClient: RedisClient;

  constructor(settings: Settings) {
    this.pauseSeconds = settings.MAIL_SLOW_DOWN_SECONDS;
    const keyPrefix = redisKeyPrefix(settings, 'mail');
    const perSecond = settings.mailRatePerSecond;
    // Connected on first use: the api imports the mail module too, but only the notifier sends.
    const storeClient = this.client(settings.redis);
    this.storeClient = storeClient;
    if (perSecond > 0) {
      this.limiters.push(
        new RateLimiterRedis({ storeClient, keyPrefix: `${keyPrefix}:second`, points: perSecond, duration: 1 }),
      );
    }
    if (settings.MAIL_RATE_PER_MINUTE > 0) {
      this.limiters.push(
        new RateLimiterRedis({
          storeClient,
          keyPrefix: `${keyPrefix}:minute`,
          points: settings.MAIL_RATE_PER_MINUTE,
          duration: 60,
        }),
      );
    }
    this.pause = new RateLimiterRedis({ storeClient, keyPrefix: `${keyPrefix}:pause`, points: 1, duration: 1 });
  }

  /**
   * Takes a token from each bucket; 0 when taken, else how long (ms) until one may be. A token taken from
   * the per-second bucket is spent even when the per-minute one is empty: it only sends less, never more.
   */
  async acquire(): Promise<number> {
    // Nothing consumes from the pause limiter, so its key exists only while blocked: one PTTL reads it
    // (its get() is a MULTI of GET and PTTL, 6 % of a notifier's CPU in bench:notifier).
    const pausedMs = await this.storeClient.pttl(this.pause.getKey(RELAY));
    if (pausedMs > 0) {
      return pausedMs;
    }
    for (const limiter of this.limiters) {
      try {
        await limiter.consume(RELAY);
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) {
          return Math.max(1, rejection.msBeforeNext);
        }
        throw rejection;
      }
    }
    return 0;
  }

  /** Every replica stops sending for MAIL_SLOW_DOWN_SECONDS; returns the pause in ms. */
  async slowDown(): Promise<number> {
    await this.pause.block(RELAY, this.pauseSeconds);
    return this.pauseSeconds * 1000;
  }

  onModuleDestroy(): void {
    this.redis?.disconnect();
  }

  private client(target: RedisTarget): RedisClient {
    const redis = createRedisClient(target, MailSendRate.name, { maxRetriesPerRequest: 3, lazyConnect: true });
    this.redis = redis;
    return redis;
  }
}
