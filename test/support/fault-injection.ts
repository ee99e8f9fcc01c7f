import { ChildProcess, spawn } from 'node:child_process';
import { AddressInfo, createServer, Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { AppProcess } from './processes';
import { childClockEnv } from './test-clock';

const ROOT = join(__dirname, '../..');

/** An app process that a test can also kill without warning (SIGKILL: no shutdown hooks, no lock release). */
export interface KillableApp extends AppProcess {
  child: ChildProcess;
  /** What the process wrote to stderr alone (its JSON log goes to stdout). */
  stderr: () => string;
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>;
}

/** Starts an app from its TypeScript sources, like `startApp`, but exposes the child process. */
export function startKillableApp(name: 'api' | 'notifier' | 'classifier' | 'fetcher', env: NodeJS.ProcessEnv): KillableApp {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(ROOT, `apps/${name}/src/main.ts`)], {
    cwd: ROOT,
    env: { ...process.env, ...childClockEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
    } else {
      child.once('exit', () => resolve());
    }
  });
  const signal = (kind: NodeJS.Signals, forceAfterMs?: number): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(kind);
      if (forceAfterMs !== undefined) {
        const force = setTimeout(() => child.kill('SIGKILL'), forceAfterMs);
        void exited.then(() => clearTimeout(force));
      }
    }
    return exited;
  };
  return {
    name,
    child,
    output: () => output,
    stderr: () => stderr,
    stop: () => signal('SIGTERM', 10_000),
    kill: () => signal('SIGKILL'),
  };
}

/** A message the server accepted (or read in full before dropping the connection). */
export interface AcceptedMail {
  to: string[];
  messageId: string;
  subject: string;
  /** The server read the whole message, then dropped the connection without answering. */
  dropped: boolean;
}

export interface SmtpReply {
  code: number;
  message: string;
}

/** What the server does wrong; a test may change it while the server runs. */
export interface SmtpFaults {
  /** Wait this long after reading a message before answering it (a slow relay). */
  answerDelayMs?: number;
  /** The answer to RCPT TO (null: accept). `attempt` counts this address's RCPT TOs, from 1. */
  rcptTo?: (address: string, attempt: number) => SmtpReply | null;
  /** Read the message in full, then drop the connection instead of answering. `attempt` counts DATAs to `to`. */
  dropAfterData?: (to: string[], attempt: number) => boolean;
  /** Called with every accepted message, in the order accepted, before the server answers. */
  onAccepted?: (mail: AcceptedMail, acceptedCount: number) => void;
}

export interface FaultySmtp {
  url: string;
  faults: SmtpFaults;
  /** Accepted messages, plus the ones read before a dropped connection (`dropped`). */
  mails: AcceptedMail[];
  /** RCPT TO commands per address, whatever the answer. */
  rcptAttempts: Map<string, number>;
  close(): Promise<void>;
}

/** A real SMTP server in the test process that fails the way the test asks it to. */
export async function startFaultySmtp(faults: SmtpFaults = {}): Promise<FaultySmtp> {
  const mails: AcceptedMail[] = [];
  const rcptAttempts = new Map<string, number>();
  const dataAttempts = new Map<string, number>();
  const sockets = new Map<number, Socket>();
  const state: FaultySmtp = { url: '', faults, mails, rcptAttempts, close: () => Promise.resolve() };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onRcptTo(address, _session, callback) {
      const attempt = (rcptAttempts.get(address.address) ?? 0) + 1;
      rcptAttempts.set(address.address, attempt);
      const reply = state.faults.rcptTo?.(address.address, attempt) ?? null;
      callback(reply ? Object.assign(new Error(reply.message), { responseCode: reply.code }) : null);
    },
    onData(stream, session, callback) {
      const to = session.envelope.rcptTo.map((rcpt) => rcpt.address);
      simpleParser(stream)
        .then(async (parsed) => {
          const key = to.join(',');
          const attempt = (dataAttempts.get(key) ?? 0) + 1;
          dataAttempts.set(key, attempt);
          const mail: AcceptedMail = {
            to,
            messageId: parsed.messageId ?? '',
            subject: parsed.subject ?? '',
            dropped: false,
          };
          if (state.faults.dropAfterData?.(to, attempt)) {
            mails.push({ ...mail, dropped: true });
            sockets.get(session.remotePort)?.destroy();
            return;
          }
          const delay = state.faults.answerDelayMs ?? 0;
          if (delay > 0) {
            await new Promise((resolve) => setTimeout(resolve, delay));
          }
          mails.push(mail);
          state.faults.onAccepted?.(mail, mails.filter((m) => !m.dropped).length);
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  server.server.on('connection', (socket: Socket) => {
    const port = socket.remotePort;
    if (port !== undefined) {
      sockets.set(port, socket);
      socket.once('close', () => sockets.delete(port));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  // Connections the test drops, or whose client it kills, end in socket errors: expected here.
  server.on('error', () => undefined);
  const { port } = server.server.address() as AddressInfo;
  state.url = `smtp://127.0.0.1:${port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets.values()) {
        socket.destroy();
      }
      server.close(() => resolve());
    });
  return state;
}

/** Message-IDs received more than once, with how many times. */
export function duplicateMessageIds(mails: AcceptedMail[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const mail of mails) {
    counts.set(mail.messageId, (counts.get(mail.messageId) ?? 0) + 1);
  }
  return new Map([...counts].filter(([, count]) => count > 1));
}

// One script, so Redis runs it atomically: no worker sees half the keys gone, as with a real FLUSHALL.
const DELETE_PREFIX_SCRIPT = `
local cursor = '0'
local deleted = 0
repeat
  local page = redis.call('SCAN', cursor, 'MATCH', ARGV[1], 'COUNT', 1000)
  cursor = page[1]
  for _, key in ipairs(page[2]) do
    deleted = deleted + redis.call('DEL', key)
  end
until cursor == '0'
return deleted`;

/**
 * "Redis lost everything", for one BullMQ prefix only: deletes every key under it in one atomic step,
 * the way FLUSHALL would (the shared Redis keeps other tests' keys). Returns how many keys went.
 */
export async function flushQueuePrefix(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl);
  try {
    return Number(await redis.eval(DELETE_PREFIX_SCRIPT, 0, `${prefix}:*`));
  } finally {
    redis.disconnect();
  }
}

/** A Redis server of the test's own (Debian's redis-server, no persistence) that the test can crash and start. */
export interface OwnRedis {
  url: string;
  /** SIGKILL: connections refused and, since nothing is saved, every key lost, as after a crash. */
  crash(): Promise<void>;
  /** Starts it again on the same port, empty; resolves once it answers. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-redis-'));
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
      stdio: 'ignore',
    });
    // Answers once it listens: the client queues the PING and retries the connection until then.
    const probe = new Redis({ port, host: '127.0.0.1', retryStrategy: () => 50, maxRetriesPerRequest: null });
    probe.on('error', () => undefined);
    try {
      await probe.ping();
    } finally {
      probe.disconnect();
    }
  };
  const crash = async (): Promise<void> => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) {
      return;
    }
    const gone = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGKILL');
    await gone;
  };
  try {
    await start();
  } catch (error) {
    await crash();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    crash,
    start,
    stop: async () => {
      await crash();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
