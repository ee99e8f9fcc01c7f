import { ChildProcess, execFile, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';

const run = promisify(execFile);

export interface ClusterNode {
  port: number;
  child: ChildProcess;
}

export interface LocalRedisCluster {
  /** REDIS_URL for the services: every node as a seed. */
  url: string;
  nodes: ClusterNode[];
  /** The node serving a key's slot as master now. */
  masterOf(key: string): Promise<ClusterNode>;
  /** SIGKILLs a node (no shutdown, no save) and resolves once it is gone. */
  kill(node: ClusterNode): Promise<void>;
  /** Resolves once a live node serves `key`'s slot as master again and every live node reports the cluster ok. */
  waitForMasterOf(key: string, timeoutMs?: number): Promise<ClusterNode>;
  stop(): Promise<void>;
}

async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Six loopback ports whose cluster bus ports (port + 10000) are free too. */
async function freePorts(count: number): Promise<number[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 9000);
    const ports = Array.from({ length: count }, (_, i) => base + i);
    const free = await Promise.all(ports.flatMap((port) => [isFree(port), isFree(port + 10000)]));
    if (free.every(Boolean)) {
      return ports;
    }
  }
  throw new Error('No free loopback ports for a local Redis Cluster');
}

/** redis-server and redis-cli (Debian: redis-server, redis-tools) must be on the PATH. */
function assertInstalled(): void {
  for (const name of ['redis-server', 'redis-cli']) {
    const found = (process.env.PATH ?? '').split(delimiter).filter(Boolean).some((dir) => {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
    if (!found) {
      throw new Error(
        `${name} is not installed: these tests start a real Redis Cluster on loopback. ` +
          'Install it (Debian: apt-get install -y redis-server) and run them again.',
      );
    }
  }
}

/**
 * A real Redis Cluster of Debian's redis-server on loopback: `masters` masters with one replica each, no
 * persistence (its nodes.conf files live in a temporary directory removed by stop()). `nodeTimeoutMs` is the
 * cluster-node-timeout: how long a dead master goes unnoticed before its replica is promoted.
 */
export async function startRedisCluster(options: { masters?: number; nodeTimeoutMs?: number } = {}): Promise<LocalRedisCluster> {
  assertInstalled();
  const masters = options.masters ?? 3;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 2000;
  const ports = await freePorts(masters * 2);
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-redis-cluster-'));
  const nodes: ClusterNode[] = ports.map((port) => {
    mkdirSync(join(dir, String(port)));
    const child = spawn(
      'redis-server',
      [
        '--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes',
        '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(nodeTimeoutMs),
        '--dir', join(dir, String(port)), '--save', '', '--appendonly', 'no', '--logfile', '',
        // Replicas sync at once (the default waits 5 s): a replica that never synced cannot take over.
        '--repl-diskless-sync-delay', '0',
      ],
      { stdio: 'ignore' },
    );
    return { port, child };
  });
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => killNode(node, 'SIGKILL')));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(ports.map((port) => waitUntil(`redis-server on ${port}`, () => ping(port), 10_000)));
    await run('redis-cli', [
      '--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas', '1', '--cluster-yes',
    ]);
    await waitUntil('the cluster to be ok on every node', async () => {
      const states = await Promise.all(ports.map((port) => clusterInfo(port)));
      return states.every((info) => info.includes('cluster_state:ok'));
    }, 30_000);
    await waitUntil('every replica to be in sync with its master', async () => {
      const roles = await Promise.all(ports.map((port) => redisCli(port, 'info', 'replication')));
      const replicas = roles.filter((info) => info.includes('role:slave'));
      return replicas.length === masters && replicas.every((info) => info.includes('master_link_status:up'));
    }, 30_000);
  } catch (error) {
    await stop();
    throw error;
  }

  const live = (): ClusterNode[] => nodes.filter((node) => node.child.exitCode === null && node.child.signalCode === null);
  const masterOf = async (key: string): Promise<ClusterNode> => {
    const probe = new Redis({ port: live()[0].port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await probe.connect();
      const slot = (await probe.call('cluster', 'keyslot', key)) as number;
      const shards = (await probe.call('cluster', 'slots')) as [number, number, [string, number, string]][];
      const owner = shards.find(([from, to]) => slot >= from && slot <= to);
      const port = owner?.[2][1];
      const node = nodes.find((candidate) => candidate.port === port);
      if (!node) {
        throw new Error(`No master serves slot ${slot} of ${key}`);
      }
      return node;
    } finally {
      probe.disconnect();
    }
  };
  return {
    url: `redis+cluster://${ports.map((port) => `127.0.0.1:${port}`).join(',')}`,
    nodes,
    masterOf,
    kill: (node) => killNode(node, 'SIGKILL'),
    waitForMasterOf: (key, timeoutMs = 30_000) =>
      waitUntil(`a live master for ${key}`, async () => {
        const states = await Promise.all(live().map((node) => clusterInfo(node.port)));
        if (!states.every((info) => info.includes('cluster_state:ok'))) {
          return undefined;
        }
        const node = await masterOf(key);
        return live().includes(node) ? node : undefined;
      }, timeoutMs),
    stop,
  };
}

function killNode(node: ClusterNode, signal: NodeJS.Signals): Promise<void> {
  if (node.child.exitCode !== null || node.child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    node.child.once('exit', () => resolve());
    node.child.kill(signal);
  });
}

async function ping(port: number): Promise<boolean> {
  try {
    const { stdout } = await run('redis-cli', ['-p', String(port), 'ping']);
    return stdout.trim() === 'PONG';
  } catch {
    return false;
  }
}

function clusterInfo(port: number): Promise<string> {
  return redisCli(port, 'cluster', 'info');
}

async function redisCli(port: number, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await run('redis-cli', ['-p', String(port), ...args]);
    return stdout;
  } catch {
    return '';
  }
}

async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
