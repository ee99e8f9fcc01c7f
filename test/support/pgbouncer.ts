import { spawn } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface PgBouncer {
  /** The same database URL, through the pooler. */
  through(url: string): string;
  /** PgBouncer's log so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** Debian installs it in /usr/sbin, which a non-root PATH may lack. */
function pgbouncerBinary(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs.filter(Boolean)) {
    const candidate = join(dir, 'pgbouncer');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next directory
    }
  }
  throw new Error(
    'pgbouncer is not installed: these tests run the services through a real PgBouncer in transaction mode. ' +
      'Install it (Debian: apt-get install -y pgbouncer) and run them again.',
  );
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A PgBouncer of the test's own on a spare loopback port, in transaction mode in front of the shared
 * Postgres (any database, any user, logged in as `postgres`), with `poolSize` server connections per
 * database: as managed Postgres users run it.
 */
export async function startPgBouncer(options: { poolSize: number; postgres?: string }): Promise<PgBouncer> {
  const binary = pgbouncerBinary();
  const upstream = new URL(options.postgres ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-pgbouncer-'));
  // PgBouncer refuses to run as root; as root it drops to postgres, who must read the file.
  chmodSync(dir, 0o755);
  const config = join(dir, 'pgbouncer.ini');
  writeFileSync(
    config,
    [
      '[databases]',
      `* = host=${upstream.hostname} port=${upstream.port || 5432} user=${decodeURIComponent(upstream.username) || 'postgres'}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = any',
      'pool_mode = transaction',
      `default_pool_size = ${options.poolSize}`,
      'max_client_conn = 1000',
      // pg sends none of these today; tolerated as the usual PgBouncer setups do.
      'ignore_startup_parameters = extra_float_digits,options',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  const args = process.getuid?.() === 0 ? ['-u', 'postgres', config] : [config];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const up = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('process up')) {
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`pgbouncer exited (${code}) before it was up:\n${output}`)));
  });
  try {
    await up;
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    through: (url) => {
      const pooled = new URL(url);
      pooled.hostname = '127.0.0.1';
      pooled.port = String(port);
      return pooled.toString();
    },
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          // SIGINT: safe shutdown would wait for clients; SIGTERM exits at once, which is all a test needs.
          child.kill('SIGTERM');
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
