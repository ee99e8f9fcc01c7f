/** What every bench script needs besides its own measurement. */
import { ChildProcess, spawn, SpawnOptions } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Polls `done` until it holds; throws after `timeoutMs`. */
export async function waitFor(done: () => Promise<boolean>, timeoutMs: number, pollMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** The value after `--name` on the command line, if given. */
export function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/** A bench cannot run here (a missing tool): its message is printed alone, without a stack. */
export class BenchSetupError extends Error {}

type TeardownStep = () => unknown;
const teardownSteps: TeardownStep[] = [];
const running = new Set<ChildProcess>();

/**
 * Registers a step to undo what was just set up. Steps run last registered first, on every exit path
 * (the end, an error, SIGINT, SIGTERM): a process is stopped before the queue keys and the database it
 * uses are deleted (deleted under a running notifier, its jobs fail with "Missing key for job …").
 */
export function onTeardown(step: TeardownStep): void {
  teardownSteps.push(step);
}

async function teardown(): Promise<void> {
  for (let step = teardownSteps.pop(); step; step = teardownSteps.pop()) {
    try {
      await step();
    } catch (error) {
      console.error(`Teardown: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** Runs a bench's main with its teardown on every exit path; exits 1 on an error, 130/143 on a signal. */
export function runBench(main: () => Promise<void>): void {
  let stopping = false;
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.on(signal, () => {
      if (!stopping) {
        stopping = true;
        console.error(`\n${signal}: stopping what the bench started…`);
        void teardown().finally(() => process.exit(code));
      }
    });
  }
  // The last resort (an exit nobody planned): no process the bench started outlives it.
  process.on('exit', () => running.forEach((child) => child.kill('SIGKILL')));
  main()
    .catch((error: unknown) => {
      console.error(error instanceof BenchSetupError ? error.message : error);
      process.exitCode = 1;
    })
    .finally(() => {
      if (!stopping) {
        stopping = true;
        void teardown();
      }
    });
}

/**
 * Starts a process and resolves once it runs; a missing executable rejects (instead of an unhandled
 * `error` event). It is stopped at teardown (`stopChild`) unless stopped before.
 */
export async function startChild(command: string, args: string[], options: SpawnOptions): Promise<ChildProcess> {
  const child = spawn(command, args, options);
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => reject(new Error(`Could not start ${command}: ${error.message}`)));
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  onTeardown(() => stopChild(child));
  return child;
}

/**
 * SIGTERM, then SIGKILL after `graceMs`; resolves only once the process has exited, so that what comes
 * after (deleting its queue keys, dropping its database) never runs under it.
 */
export async function stopChild(child: ChildProcess, graceMs = 30_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(force);
}

/** The first executable of these names: a path as given, a bare name looked up on PATH. */
export function findExecutable(candidates: string[]): string | undefined {
  const directories = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const candidate of candidates) {
    const paths = candidate.includes('/') ? [candidate] : directories.map((directory) => join(directory, candidate));
    for (const path of paths) {
      try {
        accessSync(path, constants.X_OK);
        return path;
      } catch {
        // Not here.
      }
    }
  }
  return undefined;
}
