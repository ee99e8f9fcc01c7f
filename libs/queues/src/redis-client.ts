import { Logger } from '@nestjs/common';
import Redis, { Cluster, ClusterOptions, RedisOptions } from 'ioredis';
import { parseRedisTarget, RedisTarget } from '@libs/config';

/** A connection to one Redis or to a Redis Cluster: both take the same commands. */
export type RedisClient = Redis | Cluster;

/**
 * What rides out a cluster failover: a SIGKILLed master's replica takes over after cluster-node-timeout (5 s by
 * default), and meanwhile commands get MOVED, CLUSTERDOWN or a closed connection. ioredis's defaults (100 ms,
 * 16 redirections) give up within about 2 s: 734 of 2,254 adds failed in a measured failover, none with these
 * (docs/operations.md, "Redis Cluster"). The ready check waits for `cluster_state:ok` before the first command.
 */
export const CLUSTER_FAILOVER_OPTIONS = {
  retryDelayOnFailover: 1000,
  retryDelayOnClusterDown: 1000,
  retryDelayOnTryAgain: 1000,
  maxRedirections: 32,
  enableReadyCheck: true,
} as const satisfies ClusterOptions;

/**
 * A client of a Redis Cluster with the failover options above. `redisOptions` go to each node's connection:
 * BullMQ needs `maxRetriesPerRequest: null` there for its workers. With TLS (rediss+cluster://), nodes are
 * reached by the addresses the cluster announces, without a DNS lookup (what ElastiCache with TLS needs).
 */
export function createCluster(
  target: Extract<RedisTarget, { kind: 'cluster' }>,
  options: Pick<ClusterOptions, 'lazyConnect' | 'enableOfflineQueue'> = {},
  redisOptions: NonNullable<ClusterOptions['redisOptions']> = {},
): Cluster {
  return new Cluster(target.nodes, {
    ...CLUSTER_FAILOVER_OPTIONS,
    ...options,
    ...(target.tls ? { dnsLookup: (address, done) => done(null, address) } : {}),
    redisOptions: {
      ...(target.username !== undefined ? { username: target.username } : {}),
      ...(target.password !== undefined ? { password: target.password } : {}),
      ...(target.tls ? { tls: {} } : {}),
      ...redisOptions,
    },
  });
}

/**
 * A Redis client of our own (pacing, throttles, rate limits; BullMQ keeps its own connections) that
 * reports an outage once: without an error listener ioredis prints "Unhandled error event" on every
 * reconnect attempt, and with a plain one it would log each of them. `redis` is a REDIS_URL (a cluster's
 * too) or Settings.redis; keys must come from redisKeyPrefix (redis-keys.ts) so they work on a cluster.
 */
export function createRedisClient(redis: string | RedisTarget, name: string, options: RedisOptions = {}): RedisClient {
  const logger = new Logger(name);
  const target = typeof redis === 'string' ? parseRedisTarget(redis) : redis;
  let client: RedisClient;
  if (target.kind === 'standalone') {
    client = new Redis(target.url, options);
  } else {
    // A cluster reconnects its nodes itself (ioredis refuses a per-node retryStrategy).
    const { lazyConnect, enableOfflineQueue, retryStrategy: _perNode, ...perNode } = options;
    client = createCluster(target, { lazyConnect, enableOfflineQueue }, perNode);
  }
  let outage: string | null = null;
  client.on('error', (error: Error) => {
    if (outage !== error.message) {
      outage = error.message;
      logger.warn(`Redis: ${error.message} (commands fail or wait until it is back)`);
    }
  });
  client.on('ready', () => {
    if (outage !== null) {
      logger.log('Redis is back');
      outage = null;
    }
  });
  return client;
}
