import { ChildProcess, execFile, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
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
  /**
   * Resolves once a live node serves `key`'s slot as master again and every live node reports the cluster ok
   * (checked as the nodes log their failover; the test's own timeout bounds the wait).
   */
  waitForMasterOf(key: string): Promise<ClusterNode>;
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
  const nodeLogs = new EventEmitter();
  /** Nodes this helper kills: their exit is no failure. */
  const stopping = new Set<ChildProcess>();
  const whenLogged = <T>(what: string, check: () => Promise<T | undefined | false>): Promise<T> =>
    untilLogged(nodeLogs, what, check);
  const killNode = (node: ClusterNode): Promise<void> => {
    stopping.add(node.child);
    return exited(node.child);
  };
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
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    // What the node logs (started, joined, synced, failed over, state changed) is when to look again.
    child.stdout?.on('data', () => nodeLogs.emit('logged'));
    child.once('exit', () => stopping.has(child) || nodeLogs.emit('exited', port));
    return { port, child };
  });
  // A test process that ends without stop() (a crash, a timeout, an afterAll that threw first) leaves no
  // redis-server behind and no directory: 'exit' handlers run synchronously, and kill() is synchronous.
  const killOnExit = (): void => {
    nodes.forEach((node) => node.child.exitCode === null && node.child.signalCode === null && node.child.kill('SIGKILL'));
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    await Promise.all(nodes.map((node) => killNode(node)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await whenLogged('every redis-server to answer', async () => (await Promise.all(ports.map(ping))).every(Boolean));
    await run('redis-cli', [
      '--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas', '1', '--cluster-yes',
    ]);
    await whenLogged('the cluster to be ok on every node', async () => {
      const states = await Promise.all(ports.map((port) => clusterInfo(port)));
      return states.every((info) => info.includes('cluster_state:ok'));
    });
    await whenLogged('every replica to be in sync with its master', async () => {
      const roles = await Promise.all(ports.map((port) => redisCli(port, 'info', 'replication')));
      const replicas = roles.filter((info) => info.includes('role:slave'));
      return replicas.length === masters && replicas.every((info) => info.includes('master_link_status:up'));
    });
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
    kill: killNode,
    waitForMasterOf: (key) =>
      whenLogged(`a live master for ${key}`, async () => {
        const states = await Promise.all(live().map((node) => clusterInfo(node.port)));
        if (!states.every((info) => info.includes('cluster_state:ok'))) {
          return undefined;
        }
        const node = await masterOf(key);
        return live().includes(node) ? node : undefined;
      }),
    stop,
  };
}

/** SIGKILLs a child (no shutdown, no save) and resolves on its 'exit'. */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
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

/**
 * Runs `check` now and again whenever a node logs something, until it gives a value: no timer, the test's own
 * timeout bounds the wait. A node exiting unasked fails it. One check runs at a time; lines logged meanwhile
 * make one more.
 */
function untilLogged<T>(nodeLogs: EventEmitter, what: string, check: () => Promise<T | undefined | false>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let running = false;
    let again = false;
    let settled = false;
    const settle = (outcome: () => void): void => {
      settled = true;
      nodeLogs.off('logged', evaluate);
      nodeLogs.off('exited', onExit);
      outcome();
    };
    const onExit = (port: number): void =>
      settle(() => reject(new Error(`redis-server on ${port} exited while waiting for ${what}`)));
    function evaluate(): void {
      if (settled) {
        return;
      }
      if (running) {
        again = true;
        return;
      }
      running = true;
      check().then(
        (value) => {
          running = false;
          if (value !== undefined && value !== false) {
            settle(() => resolve(value));
          } else if (again) {
            again = false;
            evaluate();
          }
        },
        (error: unknown) => settle(() => reject(error instanceof Error ? error : new Error(String(error)))),
      );
    }
    nodeLogs.on('logged', evaluate);
    nodeLogs.on('exited', onExit);
    evaluate();
  });
}
