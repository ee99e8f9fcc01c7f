import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * `npm start`: runs the four services as separate processes (as in production, where each can be
 * scaled on its own), prefixes their output, and stops them all when one dies or on Ctrl-C.
 */
const APPS = ['api', 'fetcher', 'classifier', 'notifier'] as const;
// The build this script is part of (dist/ points at it), so all four run the same one.
const build = join(__dirname, '..');
const children = new Map<string, ChildProcess>();
let stopping = false;

// One HEALTH_PORT cannot serve three workers on one machine: given one, the workers take it and the next two.
const healthBase = Number(process.env.HEALTH_PORT ?? 0);
const envFor = (app: (typeof APPS)[number], index: number): NodeJS.ProcessEnv =>
  app === 'api' || !healthBase ? process.env : { ...process.env, HEALTH_PORT: String(healthBase + index - 1) };

for (const [index, app] of APPS.entries()) {
  // The notifier's live heap is about 50 MB; uncapped, V8 lets it grow to about 340 MB between full collections.
  const flags = app === 'notifier' ? ['--max-old-space-size=128'] : [];
  const child = spawn(process.execPath, [...flags, join(build, `apps/${app}/src/main.js`)], {
    env: envFor(app, index),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${app}]`.padEnd(13);
  const forward = (stream: NodeJS.WriteStream) => (chunk: Buffer) =>
    stream.write(
      chunk
        .toString()
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => `${prefix}${line}\n`)
        .join(''),
    );
  child.stdout?.on('data', forward(process.stdout));
  child.stderr?.on('data', forward(process.stderr));
  child.on('exit', (code, signal) => {
    children.delete(app);
    if (!stopping) {
      console.error(`${prefix}exited (${signal ?? `code ${code}`}); stopping the others`);
      stopAll(code === 0 ? 1 : (code ?? 1));
    } else if (children.size === 0) {
      process.exit(process.exitCode ?? 0);
    }
  });
  children.set(app, child);
}

function stopAll(exitCode: number): void {
  stopping = true;
  process.exitCode = exitCode;
  if (children.size === 0) {
    process.exit(exitCode);
  }
  for (const child of children.values()) {
    child.kill('SIGTERM');
  }
  setTimeout(() => process.exit(exitCode), 15_000).unref();
}

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));
