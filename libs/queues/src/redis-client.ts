import { Logger } from '@nestjs/common';
import Redis, { RedisOptions } from 'ioredis';

/**
 * A Redis client of our own (pacing, throttles, rate limits; BullMQ keeps its own connections) that
 * reports an outage once: without an error listener ioredis prints "Unhandled error event" on every
 * reconnect attempt, and with a plain one it would log each of them.
 */
export function createRedisClient(url: string, name: string, options: RedisOptions = {}): Redis {
  const logger = new Logger(name);
  const redis = new Redis(url, options);
  let outage: string | null = null;
  redis.on('error', (error: Error) => {
    if (outage !== error.message) {
      outage = error.message;
      logger.warn(`Redis: ${error.message} (commands fail or wait until it is back)`);
    }
  });
  redis.on('ready', () => {
    if (outage !== null) {
      logger.log('Redis is back');
      outage = null;
    }
  });
  return redis;
}
