import type { Settings } from '@libs/config';
import { QueueName } from './queue-contract';

/**
 * Where Paperboy's keys live in Redis. On a Redis Cluster every key carries a hash tag per family
 * (`{paperboy:fetch}`, `{paperboy:ratelimit}` …): a family's keys hash to one slot, so BullMQ's scripts and any
 * script over several keys of a family run there (without it: CROSSSLOT), and the families spread over the
 * shards. No flow crosses families (BullMQ flows need one tag). On one Redis the keys keep the names they
 * always had, so an upgrade strands no job.
 */
type KeySettings = Pick<Settings, 'QUEUE_PREFIX' | 'redis'>;

/** BullMQ's prefix for a queue: its keys are `<prefix>:<queue>:…`. */
export function queuePrefix(settings: KeySettings, queue: QueueName): string {
  return settings.redis.kind === 'cluster' ? `{${settings.QUEUE_PREFIX}:${queue}}` : settings.QUEUE_PREFIX;
}

/**
 * The prefix of a family of our own keys (`pace`, `ratelimit`, `throttle` …), without a trailing ':'. Keys one
 * script or transaction touches together must be of one family.
 */
export function redisKeyPrefix(settings: KeySettings, family: string): string {
  return settings.redis.kind === 'cluster' ? `{${settings.QUEUE_PREFIX}:${family}}` : `${settings.QUEUE_PREFIX}:${family}`;
}
