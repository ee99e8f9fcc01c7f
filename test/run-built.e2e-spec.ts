import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { deleteQueueKeys, waitFor } from './support/processes';
import { SmtpSink, startSmtpSink } from './support/smtp-sink';
import { HfStandIn, startHfStandIn } from './support/stand-ins';
import { freePort } from './support/tcp-proxy';
import { createTestDatabase, TestDatabase, testQueuePrefix } from './support/test-database';

const ROOT = join(__dirname, '..');
const DIST = join(ROOT, 'dist');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `npm <args>` in its own process group, so that stopping it stops the node process npm started. */
function npm(args: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT): Run {
  return track(
    spawn('npm', args, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
}

function track(child: ChildProcess): Run {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function stopGroup(run: Run): Promise<void> {
  if (run.child.exitCode !== null || run.child.signalCode !== null) {
    return;
  }
  const force = setTimeout(() => process.kill(-(run.child.pid as number), 'SIGKILL'), 15_000);
  process.kill(-(run.child.pid as number), 'SIGTERM');
  await run.exited;
  clearTimeout(force);
}

const ready = async (port: number): Promise<boolean> => (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok;

/**
 * `npm run build` once, then what runs from the build: the four services and the CLI started at the
 * same instant (as a supervisor starts them) while another build swaps dist/, and the demo run without
 * a terminal.
 */
describe('Running what is built (end to end)', () => {
  const APPS = ['api', 'fetcher', 'classifier', 'notifier'] as const;
  let database: TestDatabase;
  let hf: HfStandIn;
  let smtp: SmtpSink;
  let workDir: string;
  const prefix = testQueuePrefix('start');

  beforeAll(async () => {
    database = await createTestDatabase('start');
    [hf, smtp] = await Promise.all([startHfStandIn('2026-01-05'), startSmtpSink()]);
    workDir = mkdtempSync(join(tmpdir(), 'paperboy-start-'));
    const build = npm(['run', 'build']);
    expect({ code: await build.exited, output: build.output() }).toMatchObject({ code: 0 });
  }, 300_000);

  afterAll(async () => {
    await Promise.all([hf?.close(), smtp?.close(), database?.drop(), deleteQueueKeys(REDIS_URL, prefix)]);
    rmSync(workDir, { recursive: true, force: true });
  });

  it('should bring up the four services and the CLI started at one instant while a build swaps dist/', async () => {
    const sourcesFile = join(workDir, 'sources.yml');
    // A schedule that never comes during the test.
    writeFileSync(
      sourcesFile,
      `sources:\n  - id: hf-daily\n    kind: hf-daily-papers\n    url: ${hf.url}\n    schedule: "0 6 1 1 *"\n`,
    );
    const ports = Object.fromEntries(
      await Promise.all(APPS.map(async (app) => [app, await freePort()] as const)),
    ) as Record<(typeof APPS)[number], number>;
    const env = (app: (typeof APPS)[number] | 'cli'): NodeJS.ProcessEnv => ({
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: database.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      APP_SECRET: 'start-secret-start-secret-0123456',
      SOURCES_FILE: sourcesFile,
      SMTP_URL: smtp.url,
      ALLOW_PRIVATE_TARGETS: 'true',
      ...(app === 'api' ? { PORT: String(ports.api), PUBLIC_URL: `http://127.0.0.1:${ports.api}` } : {}),
      ...(app !== 'api' && app !== 'cli' ? { HEALTH_PORT: String(ports[app]) } : {}),
    });
    const before = readlinkSync(DIST);

    // What a process starting at any moment would load: the entry points complete, their aliases resolved
    // (tsc writes `@libs/…` requires that tsc-alias rewrites afterwards: MODULE_NOT_FOUND in between), and
    // the templates copied last.
    const seen = new Set<string>();
    const incomplete: string[] = [];
    let looks = 0;
    const look = (): void => {
      looks += 1;
      seen.add(readlinkSync(DIST));
      for (const file of [
        'apps/api/src/main.js',
        'apps/cli/src/main.js',
        'apps/classifier/src/topic-tagging.worker.js',
        // Copied after tsc: the api reads its page templates at boot.
        'apps/api/src/web/templates/partials/topic-chips.hbs',
      ]) {
        const path = join(DIST, file);
        if (!existsSync(path) || readFileSync(path, 'utf8').includes('require("@libs/')) {
          incomplete.push(file);
        }
      }
    };
    const watcher = setInterval(look, 5);

    const rebuild = npm(['run', 'build']);
    const services = Object.fromEntries(APPS.map((app) => [app, npm(['run', `start:${app}`], env(app))])) as Record<
      (typeof APPS)[number],
      Run
    >;
    const cli = npm(['run', 'cli', '--', 'sources', 'status'], env('cli'));
    try {
      // Whether the fetcher has loaded the sources file yet is a race; either answer is a working CLI.
      expect({ code: await cli.exited, output: cli.output() }).toMatchObject({
        code: 0,
        output: expect.stringMatching(/hf-daily|No sources yet/),
      });
      await Promise.all(APPS.map((app) => waitFor(`${app} ready`, () => ready(ports[app]), 240_000)));
      expect({ code: await rebuild.exited, output: rebuild.output() }).toMatchObject({ code: 0 });
      clearInterval(watcher);
      look();

      expect(incomplete).toEqual([]);
      expect(looks).toBeGreaterThan(10);
      expect([...seen]).toEqual([before, readlinkSync(DIST)]);
      expect(readlinkSync(DIST)).not.toBe(before);
      // The services keep running, from the build they started with, which is kept.
      expect(existsSync(join(ROOT, before, 'apps/classifier/src/topic-tagging.worker.js'))).toBe(true);
      for (const app of APPS) {
        expect({ app, exitCode: services[app].child.exitCode }).toEqual({ app, exitCode: null });
        expect(await ready(ports[app])).toBe(true);
      }
    } finally {
      clearInterval(watcher);
      await Promise.all([...Object.values(services), cli, rebuild].map(stopGroup));
    }
  }, 400_000);

  it('should refuse to start or run the CLI from an unbuilt checkout, and not build', async () => {
    const checkout = join(workDir, 'unbuilt');
    mkdirSync(join(checkout, 'scripts'), { recursive: true });
    copyFileSync(join(ROOT, 'package.json'), join(checkout, 'package.json'));
    copyFileSync(join(ROOT, 'scripts/run-built.sh'), join(checkout, 'scripts/run-built.sh'));
    for (const script of ['start:api', 'start:fetcher', 'start:classifier', 'start:notifier', 'cli', 'migrate']) {
      const run = npm(['run', script], {}, checkout);
      expect({ script, code: await run.exited }).toEqual({ script, code: 1 });
      expect(run.output()).toContain('Paperboy is not built');
      expect(run.output()).toContain('run `npm run build` first');
    }
    expect(existsSync(join(checkout, 'dist'))).toBe(false);
  }, 60_000);

  it('should run the demo without a terminal, print its links, and keep the services up until a signal', async () => {
    const [apiPort, smtpPort, mailWebPort] = [await freePort(), await freePort(), await freePort()];
    const demoDatabase = `paperboy_test_demo_${process.pid}_${randomBytes(3).toString('hex')}`;
    const databaseUrl = new URL(ADMIN_URL);
    databaseUrl.pathname = `/${demoDatabase}`;
    const demoPrefix = testQueuePrefix('demo');
    // stdin is a pipe closed at once: what nohup, CI and IDE tasks give (no terminal, nothing to read).
    const demo = track(
      spawn(process.execPath, [join(DIST, 'scripts/demo.js')], {
        cwd: ROOT,
        env: {
          ...process.env,
          DEMO_DATABASE_URL: databaseUrl.toString(),
          DEMO_QUEUE_PREFIX: demoPrefix,
          DEMO_PORT: String(apiPort),
          DEMO_SMTP_PORT: String(smtpPort),
          DEMO_MAIL_WEB_PORT: String(mailWebPort),
          LOG_LEVEL: 'warn',
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
    );
    demo.child.stdin?.end();
    const publicUrl = `http://localhost:${apiPort}`;
    try {
      await waitFor(
        'the demo to finish its day',
        async () => demo.output().includes('The services keep running') || demo.child.exitCode !== null,
        300_000,
      );
      const output = demo.output();
      expect({ exitCode: demo.child.exitCode, output }).toMatchObject({ exitCode: null });

      expect(output).toMatch(/ada@example\.org: "[^"]+"/);
      const view = new RegExp(`ada's digest in the browser: (${publicUrl}/digests/[0-9a-f-]{36}\\?token=\\S+)`).exec(
        output,
      )?.[1];
      const feed = new RegExp(
        `ada's personal feed \\((\\d+) papers?\\): (${publicUrl}/feeds/subscription\\.rss\\?token=\\S+)`,
      ).exec(output);
      expect(view).toBeDefined();
      expect(Number(feed?.[1])).toBeGreaterThan(0);
      expect(output).toContain('pending@example.org (never confirmed): 1 email, the confirmation only');
      expect(output).toContain(`Emails (mail catcher):  http://localhost:${mailWebPort}`);
      // The links work, and the services are still up after the demo has said everything.
      expect((await fetch(view as string)).status).toBe(200);
      expect((await fetch(feed?.[2] as string)).status).toBe(200);
      expect((await fetch(`${publicUrl}/health`)).ok).toBe(true);

      demo.child.kill('SIGTERM');
      expect(await demo.exited).toBe(0);
      await expect(fetch(`${publicUrl}/health`)).rejects.toThrow();
    } finally {
      if (demo.child.exitCode === null) {
        demo.child.kill('SIGKILL');
      }
      await deleteQueueKeys(REDIS_URL, demoPrefix);
      const admin = new Client({ connectionString: ADMIN_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${demoDatabase}" WITH (FORCE)`).finally(() => admin.end());
    }
  }, 400_000);
});
