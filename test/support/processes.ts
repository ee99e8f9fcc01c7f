import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { QueueName } from '../../libs/queues/src/queue-contract';
import { childClockEnv } from './test-clock';

const ROOT = join(__dirname, '../..');

export interface AppProcess {
  name: string;
  output: () => string;
  stop(): Promise<void>;
}

/** Runs one of the apps from its TypeScript sources (no build step), as its own process. */
export function startApp(name: 'api' | 'fetcher' | 'classifier' | 'notifier', env: NodeJS.ProcessEnv): AppProcess {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(ROOT, `apps/${name}/src/main.ts`)], {
    cwd: ROOT,
    env: { ...process.env, ...childClockEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { name, output: () => output, stop: () => stop(child) };
}

/** Throws `error` with each app's output after its message: what a failed wait on services shows. */
export function withOutputOf(apps: readonly AppProcess[], error: Error): never {
  throw new Error(`${error.message}\n${apps.map((app) => `--- ${app.name}\n${app.output()}`).join('\n')}`);
}

/**
 * Starts the four services as processes on one environment, into `apps` (so that they are stopped whatever
 * happens next), and resolves once the api at `apiUrl` answers /health and every queue under the environment's
 * QUEUE_PREFIX has a worker. A wait that times out says so with each app's output.
 */
export async function startServices(apps: AppProcess[], env: NodeJS.ProcessEnv, apiUrl: string): Promise<void> {
  apps.push(...(['api', 'fetcher', 'classifier', 'notifier'] as const).map((name) => startApp(name, env)));
  const fail = (error: Error): never => withOutputOf(apps, error);
  await waitFor('the api to answer /health', async () => (await fetch(`${apiUrl}/health`)).ok, 60_000).catch(fail);
  await waitFor('a worker on every queue', () => queuesServed(String(env.REDIS_URL), String(env.QUEUE_PREFIX)), 60_000).catch(
    fail,
  );
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `npm run cli -- <args>` the way an operator would, from the sources; `onStderr` sees stderr as it comes. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, onStderr?: (soFar: string) => void): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(ROOT, 'apps/cli/src/main.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...childClockEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      onStderr?.(stderr);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) {
        return value;
      }
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}${lastError ? `: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Whether every one of `names` (every queue unless said) has a worker on it under the prefix. */
export async function queuesServed(
  redisUrl: string,
  prefix: string,
  names: readonly QueueName[] = Object.values(QueueName),
): Promise<boolean> {
  for (const name of names) {
    const queue = new Queue(name, { connection: { url: redisUrl }, prefix });
    try {
      if ((await queue.getWorkersCount()) === 0) {
        return false;
      }
    } finally {
      await queue.close();
    }
  }
  return true;
}

/** Deletes every Redis key under a BullMQ prefix. */
export async function deleteQueueKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) {
        await redis.del(...keys);
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * Runs every clean-up step in order even when one throws (a queue on a dead node, a server already gone), then
 * throws what went wrong: one failed step must not leave the servers of the later ones running.
 */
export async function cleanUp(...steps: (() => unknown)[]): Promise<void> {
  const errors: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) {
    throw new AggregateError(errors, `${errors.length} clean-up step(s) failed: ${errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ')}`);
  }
}
