import { Injectable, OnModuleDestroy, ServiceUnavailableException } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Settings } from '@libs/config';
import { createRedisClient, type RedisClient, redisKeyPrefix } from '@libs/queues';
import { forged } from './providers/provider-event';

/**
 * Signing tokens seen, for providers whose signature does not cover the body (Mailgun signs only its timestamp
 * and token): each token is bound to the first body it came with, in Redis so every api replica shares it.
 * The same body again (the provider retrying) passes and changes nothing (events are stored by id); another
 * body under a seen token is a replay of the signature and is refused, as Mailgun's "Securing webhooks" asks.
 */
@Injectable()
export class WebhookTokens implements OnModuleDestroy {
  private readonly redis: RedisClient;
  private readonly prefix: string;

  constructor(settings: Settings) {
    this.redis = createRedisClient(settings.redis, WebhookTokens.name, { maxRetriesPerRequest: 2, lazyConnect: true });
    this.prefix = redisKeyPrefix(settings, 'webhook-token');
  }

  /** 401 when `token` was seen with another body within `ttlMs`; 503 when Redis cannot say (the provider retries). */
  async bind(provider: string, token: string, body: string, ttlMs: number): Promise<void> {
    const key = `${this.prefix}:${provider}:${sha256(token)}`;
    const digest = sha256(body);
    let bound: string | null;
    try {
      const set = await this.redis.set(key, digest, 'PX', ttlMs, 'NX');
      bound = set === 'OK' ? digest : await this.redis.get(key);
    } catch (error) {
      throw new ServiceUnavailableException(
        `The webhook's token could not be checked (Redis: ${error instanceof Error ? error.message : String(error)})`,
      );
    }
    // null: the key expired between SET and GET, so the token is as old as the window; refused like a stale one.
    if (bound !== digest) {
      throw forged(`This ${provider} signature was already used for another body: not taken again`);
    }
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
