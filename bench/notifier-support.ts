import { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { Client } from 'pg';
import {
  buildDigestView,
  classifyTopics,
  DigestPaperSource,
  digestLinks,
  paperVoteLinks,
  renderDigestEmail,
  TOPIC_SLUGS,
} from '../libs/domain/src';
import { DEMO_FIXTURE } from '../test/support/stand-ins';
import { composeMessage } from '../libs/mail/src/message';
import { startChild } from './bench-support';

/** What the notifier benches share: the sample email, the SMTP baselines, the sink and process readings. */
export const BENCH_SECRET = 'bench-secret-bench-secret-bench';

/**
 * A digest email of typical size, rendered the way the notifier renders it: the paper count of an
 * average digest of this fan-out, with the papers' topics and links, for a subscriber of two topics;
 * with `voteLinks`, every paper's 👍 / 👎 links too, as the notifier's emails carry them.
 */
export async function sampleEmail(
  sql: Client,
  { voteLinks = false }: { voteLinks?: boolean } = {},
): Promise<{ subject: string; text: string; html: string }> {
  const { rows } = await sql.query<DigestPaperSource>(
    `SELECT p.id, p.title, p.url, p."arxivId", p.authors, p.upvotes, p.abstract, p.summary, p."codeUrl",
       coalesce(json_agg(json_build_object('topic', t.topic, 'evidence', t.evidence)) FILTER (WHERE t.topic IS NOT NULL), '[]') AS topics
     FROM papers p LEFT JOIN paper_topics t ON t."paperId" = p.id
     GROUP BY p.id ORDER BY p.upvotes DESC LIMIT 14`,
  );
  const subscriber = { id: randomUUID(), linkVersion: 0 };
  const links = digestLinks('https://papers.example.org', BENCH_SECRET, subscriber, randomUUID(), new Date());
  const view = buildDigestView({
    digest: { periodKey: '2026-11-28', omittedCount: 3 },
    subscription: { topics: TOPIC_SLUGS.slice(0, 2), keywords: [], frequency: 'daily' },
    papers: rows,
    links,
    voteLinks: voteLinks
      ? (paperId, source) =>
          paperVoteLinks('https://papers.example.org', BENCH_SECRET, subscriber, paperId, source, new Date())
      : undefined,
  });
  return renderDigestEmail(view);
}

/** A baseline run: messages a second, and the CPU each message cost the sender and the sink. */
export interface SmtpRun {
  rate: number;
  senderMsEach: number;
  sinkMsEach: number;
}

/**
 * The SMTP path's limit, measured with a bare nodemailer pool (5 connections, 50 messages in flight) on
 * the same sink: either nodemailer composes each message from the rendered text and HTML, or it sends a
 * message composed once (`prebuilt`), so that only the SMTP exchange is left. A warm-up of `warmUp`
 * messages goes first, unmeasured, through the same pool: the first thousand messages of a fresh
 * process cost 1.3-1.4x the CPU of later ones (JIT, heap growth), which the notifier, measured over
 * thousands of digests, has long paid off (docs/benchmarks.md, "Why the baseline was low").
 */
export async function bareNodemailer(
  port: number,
  email: { subject: string; text: string; html: string },
  count: number,
  prebuilt: boolean,
  warmUp = Math.min(1000, count),
  sinkPid?: number,
): Promise<SmtpRun> {
  const transport = createTransport({
    pool: true,
    maxConnections: 5,
    maxRequeues: 0,
    host: '127.0.0.1',
    port,
    secure: false,
  });
  const composed = composeMessage({ from: 'digest@papers.example.org', to: 'reader@bench.example', ...email });
  const sendAll = async (total: number): Promise<void> => {
    const inFlight = new Set<Promise<unknown>>();
    for (let i = 0; i < total; i += 1) {
      const to = `reader${i}@bench.example`;
      const send = prebuilt
        ? transport.sendMail({ envelope: { from: composed.envelope.from, to: [to] }, raw: composed.raw })
        : transport.sendMail({ from: 'digest@papers.example.org', to, ...email });
      inFlight.add(send);
      void send.finally(() => inFlight.delete(send));
      if (inFlight.size >= 50) {
        await Promise.race(inFlight);
      }
    }
    await Promise.all(inFlight);
  };
  try {
    await sendAll(warmUp);
    const started = performance.now();
    const cpu = process.cpuUsage();
    const sinkBefore = cpuMs(sinkPid);
    await sendAll(count);
    return {
      rate: count / ((performance.now() - started) / 1000),
      senderMsEach: cpuTotalMs(process.cpuUsage(cpu)) / count,
      sinkMsEach: (cpuMs(sinkPid) - sinkBefore) / count,
    };
  } finally {
    transport.close();
  }
}

export interface Sink {
  port: number;
  process: ChildProcess;
  /** Messages and bytes received so far. */
  count(): Promise<{ messages: number; bytes: number }>;
}

export async function startSink(): Promise<Sink> {
  const child = await startChild(process.execPath, [join(__dirname, 'smtp-sink-process.js')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  let waiting: ((line: string) => void) | undefined;
  child.stdout?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      if (waiting) {
        const resolve = waiting;
        waiting = undefined;
        resolve(line);
      } else {
        lines.push(line);
      }
    }
  });
  const next = (): Promise<string> =>
    lines.length > 0 ? Promise.resolve(lines.shift() as string) : new Promise((resolve) => (waiting = resolve));
  const port = Number((await next()).split(' ')[1]);
  return {
    port,
    process: child,
    count: async () => {
      child.stdin?.write('count\n');
      const [, messages, bytes] = (await next()).split(' ').map(Number);
      return { messages, bytes };
    },
  };
}

/**
 * The notifier runs as deployed: its old generation capped at 128 MB (README, Operations). Its live heap
 * is about 50 MB; uncapped, V8 lets the heap grow to four times that between full collections on a
 * machine with gigabytes free. BENCH_NODE_FLAGS replaces the flags (e.g. "--trace-gc", or "" for none);
 * BENCH_PROFILE=dir writes a CPU profile of the notifier there.
 */
export function notifierFlags(): string[] {
  return [
    ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : []),
    ...(process.env.BENCH_NODE_FLAGS ?? '--max-old-space-size=128').split(' ').filter(Boolean),
  ];
}

/** User + system CPU time a process has used so far (Linux), in milliseconds. */
export function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/**
 * Read and write system calls a process has made so far (Linux). Each write that wakes another process
 * (Postgres, Redis, the sink) costs far more than its bytes on a virtual machine.
 */
export function systemCalls(pid: number | undefined): number {
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    return Number(/syscr: (\d+)/.exec(io)?.[1] ?? 0) + Number(/syscw: (\d+)/.exec(io)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** CPU time used so far by each Postgres backend serving the bench database (other work on the server is not counted). */
export async function backendCpuMs(sql: Client): Promise<Map<number, number>> {
  const { rows } = await sql.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`,
  );
  return new Map(rows.map(({ pid }) => [pid, cpuMs(pid)]));
}

/** CPU used between two snapshots; a process that started in between counts from zero. */
export function sumCpuSince(now: Map<number, number>, before: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of now) {
    total += ms - (before.get(pid) ?? 0);
  }
  return total;
}

/** CPU time used so far by every process whose command name starts with `command`. */
export function commandCpuMs(command: string): number {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith(command)) {
        total += cpuMs(Number(pid));
      }
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return total;
}

export const cpuTotalMs = (usage: NodeJS.CpuUsage): number => (usage.user + usage.system) / 1000;

export function peakRssKb(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Papers of the demo day (120), ready and tagged, each listed at `listedAt(index)`. Past the fixture's
 * end the papers come round again as new arXiv versions (`…v2`), so any count is one day's worth.
 */
export async function seedPapers(sql: Client, listedAt: (index: number) => Date, count?: number): Promise<void> {
  const entries = JSON.parse(readFileSync(DEMO_FIXTURE, 'utf8')) as {
    paper: { id: string; title: string; summary: string; upvotes: number; authors: { name: string }[] };
  }[];
  for (let index = 0; index < (count ?? entries.length); index += 1) {
    const { paper } = entries[index % entries.length];
    const round = Math.floor(index / entries.length);
    const arxivId = round === 0 ? paper.id : `${paper.id}v${round + 1}`;
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO papers ("arxivId", title, abstract, authors, upvotes, "listedAt", "readyAt", url)
       VALUES ($1, $2, $3, $4, $5, $6, now(), $7) RETURNING id`,
      [
        arxivId,
        round === 0 ? paper.title : `${paper.title} (v${round + 1})`,
        paper.summary,
        paper.authors.map((a) => a.name),
        paper.upvotes,
        listedAt(index),
        `https://huggingface.co/papers/${arxivId}`,
      ],
    );
    for (const tag of classifyTopics({ title: paper.title, abstract: paper.summary })) {
      await sql.query(`INSERT INTO paper_topics ("paperId", topic, score, evidence) VALUES ($1, $2, $3, $4)`, [
        rows[0].id,
        tag.topic,
        tag.score,
        tag.evidence,
      ]);
    }
  }
}

/** Forgets a process's peak memory (VmHWM), so the next reading is the peak of what follows (Linux). */
export function resetPeakRss(pid: number | undefined): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // Not Linux, or not allowed: the peak then covers the process's whole life.
  }
}
