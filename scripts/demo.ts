import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import Parser from 'rss-parser';
import { migrateDatabase } from '../libs/database/src/migrate-database';
import { deleteQueueKeys } from '../test/support/processes';
import { repositoryRoot, startHfStandIn, startSlackSink } from '../test/support/stand-ins';

/**
 * `npm run demo`: one offline day of Paperboy. Serves the seed page's papers as Hugging Face's API on
 * loopback, starts a mail catcher and the four services, subscribes a few readers, runs fetch and
 * digest through the CLI, and shows what was sent. It then stays up for inspection until a signal
 * (Ctrl-C, SIGTERM), whatever stdin is (nohup, CI, an IDE task); `--exit` stops at once.
 */
const root = repositoryRoot(__dirname);
const workDir = join(root, '.demo');
const apiPort = Number(process.env.DEMO_PORT ?? 3000);
const smtpPort = Number(process.env.DEMO_SMTP_PORT ?? 1025);
const mailWebPort = Number(process.env.DEMO_MAIL_WEB_PORT ?? 1080);
const publicUrl = `http://localhost:${apiPort}`;
const mailWeb = `http://localhost:${mailWebPort}`;
const children: { name: string; child: ChildProcess }[] = [];

interface CatcherMail {
  subject: string;
  to: { address: string }[];
  text: string;
}

async function main(): Promise<void> {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(join(workDir, 'logs'), { recursive: true });
  mkdirSync(join(workDir, 'slack'), { recursive: true });
  const today = DateTime.utc().toISODate();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: process.env.DEMO_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/paperboy_demo',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: process.env.DEMO_QUEUE_PREFIX ?? 'paperboy-demo',
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    MAIL_FROM: 'Paperboy demo <digest@paperboy.localhost>',
    PUBLIC_URL: publicUrl,
    PORT: String(apiPort),
    APP_SECRET: 'demo-secret-not-for-production',
    SOURCES_FILE: join(workDir, 'sources.yml'),
    ALLOW_PRIVATE_TARGETS: 'true',
    // The demo's Slack stand-in is on loopback.
    ALLOW_ANY_WEBHOOK_HOST: 'true',
    NODE_ENV: 'development',
  };

  step('Preparing a fresh demo database and queue prefix');
  await dropDatabase(env.DATABASE_URL as string);
  await migrateDatabase(env.DATABASE_URL as string);
  await deleteQueueKeys(env.REDIS_URL as string, env.QUEUE_PREFIX as string);

  step(`Serving ${today}'s Daily Papers (the seed page, 120 papers) and a Slack sink on loopback`);
  const hf = await startHfStandIn(today);
  const slack = await startSlackSink();
  // Both stay up while the demo does: the fetcher's schedule keeps asking the stand-in.
  standIns.push(hf, slack);
  writeFileSync(
    env.SOURCES_FILE as string,
    `sources:\n  - id: hf-daily\n    kind: hf-daily-papers\n    url: ${hf.url}\n    schedule: "0 */3 * * *"\n`,
  );

  step(`Starting the mail catcher (SMTP ${smtpPort}, web ${mailWeb}) and the four services`);
  launch('maildev', join(root, 'node_modules/maildev/dist/bin/maildev.js'), ['--smtp', String(smtpPort), '--web', String(mailWebPort)], env);
  for (const app of ['api', 'fetcher', 'classifier', 'notifier']) {
    launch(app, join(root, `dist/apps/${app}/src/main.js`), [], env);
  }
  await waitFor('the api', async () => (await fetch(`${publicUrl}/health`)).ok);
  await waitFor('the mail catcher', async () => (await fetch(`${mailWeb}/api/email`)).ok);

  step('Subscribing readers');
  // Each reader's send hour is the local hour 23 hours from now, when the demo acts as if the digest
  // were due (today's send time had passed before they subscribed, so nothing goes out by itself).
  const sendAt = DateTime.utc().plus({ hours: 23 });
  const sendHour = (zone: string): number => sendAt.setZone(zone).hour;
  const readers = [
    { email: 'ada@example.org', topics: ['llm', 'reasoning'], timezone: 'Europe/London' },
    { email: 'grace@example.org', topics: ['image-generation', 'video'], timezone: 'America/New_York' },
    { email: 'linus@example.org', keywords: ['quantization', '"edge devices"'], timezone: 'Europe/Helsinki' },
    { email: 'pending@example.org', topics: ['robotics'], timezone: 'UTC', confirm: false },
  ];
  for (const { confirm: _confirm, ...reader } of readers) {
    await post('/api/subscriptions', { ...reader, sendHour: sendHour(reader.timezone), maxPapers: 10 });
  }
  await post('/api/subscriptions', {
    slackWebhookUrl: slack.webhookUrl,
    topics: ['efficiency', 'systems'],
    timezone: 'UTC',
    sendHour: sendHour('UTC'),
    maxPapers: 8,
  });
  const confirmations = await waitFor('the confirmation emails', async () => {
    const mails = await mailbox();
    return mails.length >= 4 ? mails : undefined;
  });
  for (const reader of readers.filter((r) => r.confirm !== false)) {
    const mail = confirmations.find((m) => m.to.some((to) => to.address === reader.email));
    const link = /(http\S+\/subscriptions\/confirm\?token=\S+)/.exec(mail?.text ?? '')?.[1];
    if (!link || !(await fetch(link)).ok) {
      throw new Error(`Could not confirm ${reader.email}`);
    }
  }
  console.log('  4 email subscribers (3 confirmed, 1 left pending) and 1 Slack channel');

  step('npm run cli -- fetch');
  await cli(['fetch', '--date', today], env);
  const sendAtIso = sendAt.toISO();
  step(`npm run cli -- digest send --now ${sendAtIso}`);
  await cli(['digest', 'send', '--now', sendAtIso], env);

  step('What was sent');
  // Links are matched by URL, not by their labels, which the email's wording may change.
  const digestLink = new RegExp(`${escapeRegExp(publicUrl)}/digests/\\S+`);
  const feedLink = new RegExp(`${escapeRegExp(publicUrl)}/feeds/subscription\\.rss\\?token=\\S+`);
  const digests = (await mailbox()).filter((mail) => digestLink.test(mail.text));
  for (const mail of digests) {
    console.log(`  ${mail.to.map((to) => to.address).join(', ')}: "${mail.subject}"`);
  }
  const adaDigest = digests.find((mail) => mail.to.some((to) => to.address === 'ada@example.org'));
  const viewUrl = digestLink.exec(adaDigest?.text ?? '')?.[0];
  const personalFeed = feedLink.exec(adaDigest?.text ?? '')?.[0];
  const pending = (await mailbox()).filter((m) => m.to.some((to) => to.address === 'pending@example.org'));
  console.log(`  pending@example.org (never confirmed): ${pending.length} email, the confirmation only`);
  slack.messages.forEach((message, index) => {
    const file = join(workDir, 'slack', `message-${index + 1}.json`);
    writeFileSync(file, `${JSON.stringify(message, null, 2)}\n`);
    console.log(`  Slack: "${message.text}" (${message.blocks?.length ?? 0} blocks) saved to ${file}`);
  });
  const feed = await new Parser().parseString(await (await fetch(`${publicUrl}/feeds/papers.rss`)).text());
  console.log(`  Feed ${publicUrl}/feeds/papers.rss: ${feed.items.length} papers, e.g. "${feed.items[0]?.title}"`);
  if (!viewUrl || !personalFeed) {
    throw new Error("ada's digest email has no web view or personal feed link");
  }
  const personal = await new Parser().parseString(await (await fetch(personalFeed)).text());
  console.log(`  ada's digest in the browser: ${viewUrl}`);
  console.log(`  ada's personal feed (${personal.items.length} papers): ${personalFeed}`);

  console.log(`\nLook around:
  Emails (mail catcher):  ${mailWeb}
  RSS feed:               ${publicUrl}/feeds/papers.rss
  Topics:                 ${publicUrl}/api/topics
  Slack payloads:         ${join(workDir, 'slack')}
  Service logs:           ${join(workDir, 'logs')}`);
  if (!process.argv.includes('--exit')) {
    // Not only on a terminal: under nohup, CI or an IDE task stdin is no terminal, and stopping there
    // silently took the services away from whoever meant to look at them.
    console.log(
      `\nThe services keep running for you to look around; stop them with Ctrl-C or \`kill ${process.pid}\`.\n` +
        'To keep them up after you log out: setsid npm run demo > demo.log 2>&1 < /dev/null &',
    );
    await new Promise<void>((resolve) => {
      stopRequested = resolve;
    });
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function step(text: string): void {
  console.log(`\n▶ ${text}`);
}

function launch(name: string, script: string, args: string[], env: NodeJS.ProcessEnv): void {
  const log = join(workDir, 'logs', `${name}.log`);
  const child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  // The demo may run for days: the log goes to a file, only its tail stays in memory for an error.
  const file = createWriteStream(log);
  let output = '';
  const keep = (chunk: Buffer): void => {
    file.write(chunk);
    output = (output + chunk.toString()).slice(-2000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', (code) => {
    // Ctrl-C reaches the services too (one process group): their exit then is no failure.
    if (!stopping && !signalled) {
      console.error(`\n${name} exited with code ${code}; its log (${log}) ends with:\n${output}`);
      void shutdown(1);
    }
  });
  children.push({ name, child });
}

async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [join(root, 'dist/apps/cli/src/main.js'), ...args], { env, stdio: 'inherit' });
    child.on('close', (exitCode) => resolve(exitCode ?? 1));
  });
  if (code !== 0) {
    throw new Error(`cli ${args.join(' ')} failed with code ${code}`);
  }
}

async function post(path: string, body: unknown): Promise<void> {
  const response = await fetch(`${publicUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(`POST ${path} answered ${response.status}: ${await response.text()}`);
  }
}

async function mailbox(): Promise<CatcherMail[]> {
  return (await (await fetch(`${mailWeb}/api/email`)).json()) as CatcherMail[];
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined && value !== false) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}; see ${join(workDir, 'logs')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

async function dropDatabase(url: string): Promise<void> {
  const { Client } = await import('pg');
  const target = new URL(url);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${target.pathname.slice(1).replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

let stopping = false;
let signalled = false;
let stopRequested: (() => void) | undefined;
const standIns: { close(): Promise<void> }[] = [];

/** Stops every service, waiting for each to exit (SIGKILL after 10 s), then the stand-ins. */
async function shutdown(code: number): Promise<void> {
  if (stopping) {
    return;
  }
  stopping = true;
  await Promise.all(
    children.map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) {
            return resolve();
          }
          const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(force);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  await Promise.all(standIns.map((standIn) => standIn.close().catch(() => undefined)));
  process.exit(code);
}

// SIGHUP too: Node resets what nohup ignores, so a closed terminal stops the demo, and it stops cleanly.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    signalled = true;
    if (stopRequested) {
      stopRequested();
    } else {
      console.error(`\n${signal}: stopping the demo`);
      void shutdown(130);
    }
  });
}

main()
  .then(() => shutdown(0))
  .catch((error: unknown) => {
    console.error(`\nDemo failed: ${error instanceof Error ? error.message : String(error)}`);
    void shutdown(1);
  });
