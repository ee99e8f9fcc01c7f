import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startChild, stopChild } from './bench-support';

const ROOT = join(__dirname, '..');

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a script from the sources; `onLine` sees each stdout line as it comes. */
function run(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  onLine?: (line: string, pid: number) => void,
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(ROOT, script), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        onLine?.(line, child.pid as number);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const childPid = (stdout: string): number => Number(/^child (\d+)$/m.exec(stdout)?.[1]);

// Each run compiles its script from the sources (@swc-node/register): seconds, not milliseconds.
jest.setTimeout(60_000);

describe('bench teardown', () => {
  it('should stop a process that ignores SIGTERM, resolving only once it has exited', async () => {
    const child = await startChild(
      process.execPath,
      ['-e', "process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000)"],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    await new Promise((resolve) => child.stdout?.once('data', resolve));

    await stopChild(child, 100);

    expect(child.signalCode).toBe('SIGKILL');
    expect(alive(child.pid as number)).toBe(false);
  });

  it('should refuse a missing executable with a message instead of an unhandled error event', async () => {
    await expect(startChild('/nonexistent/paperboy-tool', [], { stdio: 'ignore' })).rejects.toThrow(
      'Could not start /nonexistent/paperboy-tool: spawn /nonexistent/paperboy-tool ENOENT',
    );
  });

  it('should stop what a bench started, then its data, when it ends', async () => {
    const outcome = await run('test/fixtures/bench-teardown.ts', ['done']);

    expect(outcome).toMatchObject({ code: 0, stderr: '' });
    expect(outcome.stdout.trim().split('\n').pop()).toBe('teardown: data (child exited: true)');
    expect(alive(childPid(outcome.stdout))).toBe(false);
  });

  it('should print a setup error alone, without a stack, and stop what the bench started', async () => {
    const outcome = await run('test/fixtures/bench-teardown.ts', ['error']);

    expect(outcome).toMatchObject({ code: 1, stderr: 'the tool is missing: install it\n' });
    expect(outcome.stdout).toContain('teardown: data (child exited: true)');
    expect(alive(childPid(outcome.stdout))).toBe(false);
  });

  it('should stop what the bench started when an executable is missing', async () => {
    const outcome = await run('test/fixtures/bench-teardown.ts', ['missing']);

    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('Could not start /nonexistent/paperboy-tool');
    expect(outcome.stdout).toContain('teardown: data (child exited: true)');
    expect(alive(childPid(outcome.stdout))).toBe(false);
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('should stop what the bench started on %s', async (signal, code) => {
    const outcome = await run('test/fixtures/bench-teardown.ts', ['wait'], {}, (line, pid) => {
      if (line === 'waiting') {
        process.kill(pid, signal);
      }
    });

    expect(outcome.code).toBe(code);
    expect(outcome.stderr).toContain(`${signal}: stopping what the bench started`);
    expect(outcome.stdout).toContain('teardown: data (child exited: true)');
    expect(alive(childPid(outcome.stdout))).toBe(false);
  });

  it('should tell what to install when nginx is missing, before starting anything (bench:feeds)', async () => {
    const outcome = await run('bench/feeds-throughput.ts', [], { NGINX: '/nonexistent/nginx' });

    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('nginx is not installed');
    expect(outcome.stderr).toContain('apt-get install -y nginx-light');
    expect(outcome.stderr).toContain('(NGINX=/nonexistent/nginx is not an executable)');
    expect(outcome.stderr).not.toMatch(/^\s+at /m);
    expect(outcome.stdout).toBe('');
  });
});
