/** A seed node of a Redis Cluster: the client learns the other nodes from it. */
export interface RedisNode {
  host: string;
  port: number;
}

/** Where Redis is: one server (a URL ioredis reads as is) or a cluster (seed nodes and what every node needs). */
export type RedisTarget =
  | { kind: 'standalone'; url: string }
  | { kind: 'cluster'; nodes: RedisNode[]; username?: string; password?: string; tls: boolean };

const CLUSTER_URL = /^(rediss?)\+cluster:\/\/(?:([^@/\s]*)@)?([^/@\s]+)(\/\d*)?$/i;

/**
 * Reads REDIS_URL and REDIS_CLUSTER_NODES. A cluster is `redis+cluster://[user:password@]h1:port,h2:port`
 * (`rediss+cluster://` with TLS), or REDIS_CLUSTER_NODES=`h1:port,h2:port` with REDIS_URL giving only the user,
 * password and TLS. Throws a message naming the setting; credentials are never echoed.
 */
export function parseRedisTarget(url: string, clusterNodes?: string): RedisTarget {
  const cluster = CLUSTER_URL.exec(url);
  if (cluster === null && /^rediss?\+cluster:/i.test(url)) {
    throw new Error('REDIS_URL must list a cluster\'s nodes as redis+cluster://host:port,host:port');
  }
  const nodesGiven = clusterNodes !== undefined && clusterNodes.trim() !== '';
  if (cluster !== null && nodesGiven) {
    throw new Error('REDIS_CLUSTER_NODES and a redis+cluster:// REDIS_URL both name the cluster\'s nodes: set one of them');
  }
  if (cluster !== null) {
    const [, scheme, credentials, hosts, database] = cluster;
    if (database !== undefined && !/^\/0?$/.test(database)) {
      throw new Error(`REDIS_URL: a Redis Cluster has only database 0 (got "${database}")`);
    }
    return { kind: 'cluster', nodes: parseNodes(hosts, 'REDIS_URL'), tls: scheme.toLowerCase() === 'rediss', ...auth(credentials) };
  }
  if (!nodesGiven) {
    return { kind: 'standalone', url };
  }
  const base = /^(rediss?):\/\/(?:([^@/\s]*)@)?/i.exec(url);
  return {
    kind: 'cluster',
    nodes: parseNodes(clusterNodes, 'REDIS_CLUSTER_NODES'),
    tls: base?.[1].toLowerCase() === 'rediss',
    ...auth(base?.[2]),
  };
}

function parseNodes(list: string, setting: string): RedisNode[] {
  const nodes = list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const match = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+):(\d{1,5})$/i.exec(entry);
      const port = Number(match?.[2]);
      if (match === null || port < 1 || port > 65535) {
        throw new Error(`${setting} must list cluster nodes as host:port, separated by commas (got "${entry}")`);
      }
      return { host: match[1].replace(/^\[|\]$/g, ''), port };
    });
  if (nodes.length === 0) {
    throw new Error(`${setting} must name at least one cluster node as host:port`);
  }
  return nodes;
}

function auth(credentials: string | undefined): { username?: string; password?: string } {
  if (credentials === undefined || credentials === '') {
    return {};
  }
  const [user, ...rest] = credentials.split(':');
  const password = rest.length > 0 ? decodeURIComponent(rest.join(':')) : undefined;
  return { ...(user !== '' ? { username: decodeURIComponent(user) } : {}), ...(password ? { password } : {}) };
}
