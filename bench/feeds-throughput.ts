import { ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort, seedDemoDay } from '../test/support/browser';
import { deleteQueueKeys } from '../test/support/processes';
import { repositoryRoot } from '../test/support/stand-ins';
import { createTestDatabase } from '../test/support/test-database';
import { argument, BenchSetupError, findExecutable, onTeardown, runBench, startChild, waitFor } from './bench-support';

/**
 * Feed serving: requests per second for /feeds/papers.rss and a topic feed from the api process (built, as in
 * production), under autocannon on loopback, against the same bytes served as static files by nginx (one worker,
 * access log off) in the same run: plain, and gzip (the api compresses each rendering once; nginx serves the
 * same .gz bytes with gzip_static). Prints each figure and the ratio; the goal is at least 0.5.
 *
 * Each figure is the best of `--rounds` runs (the two servers take turns), as other work on a shared machine only
 * ever slows a run down; next to it, the server's CPU time per request (user + system, from /proc), which the
 * load generator's own appetite for CPU does not distort.
 *
 *   npm run bench:feeds -- [--duration 10] [--connections 50] [--rounds 2] [--workers 1] [--log-level info]
 */

/** The part of autocannon's programmatic API used here (the package ships no types). */
interface AutocannonResult {
  requests: { average: number; total: number };
  throughput: { average: number };
  latency: { p50: number; p99: number };
  /** Answers by status code. */
  statusCodeStats: Record<string, { count: number }>;
  errors: number;
  timeouts: number;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  workers?: number;
  headers?: Record<string, string>;
}) => Promise<AutocannonResult>;
const autocannon = createRequire(__filename)('autocannon') as Autocannon;

const root = repositoryRoot(__dirname);
const duration = Number(argument('--duration') ?? 10);
const connections = Number(argument('--connections') ?? 50);
const rounds = Number(argument('--rounds') ?? 2);
// Load generator threads: autocannon parsing 100-300 kB answers is as busy as the servers it measures.
const workers = Number(argument('--workers') ?? 1);
// The api's production default: one JSON line per request goes to stdout (here discarded, as by a log shipper).
const logLevel = argument('--log-level') ?? 'info';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TOPIC = 'llm';
const PATHS = { papers: '/feeds/papers.rss', topic: `/feeds/topics/${TOPIC}.rss` };

async function main(): Promise<void> {
  // Before anything is started: without nginx there is nothing to compare with.
  const nginxBinary = findExecutable(process.env.NGINX ? [process.env.NGINX] : ['nginx', '/usr/sbin/nginx']);
  if (!nginxBinary) {
    throw new BenchSetupError(
      'bench:feeds compares the api with nginx serving the same bytes, and nginx is not installed.\n' +
        '  Install it:  apt-get update && apt-get install -y nginx-light   (or nginx; the service need not run)\n' +
        `  or point NGINX at its binary:  NGINX=/path/to/nginx npm run bench:feeds${process.env.NGINX ? ` (NGINX=${process.env.NGINX} is not an executable)` : ''}`,
    );
  }
  // Undone in reverse order on every exit path (the end, an error, Ctrl-C): servers first, then their data.
  const database = await createTestDatabase('feeds_bench');
  onTeardown(() => database.drop());
  const prefix = `paperboy-bench-feeds-${process.pid}`;
  onTeardown(() => deleteQueueKeys(redisUrl, prefix));
  const work = mkdtempSync(join(tmpdir(), 'paperboy-feeds-bench-'));
  onTeardown(() => rmSync(work, { recursive: true, force: true }));
  // nginx's workers run as nobody: they must be able to read the files.
  chmodSync(work, 0o755);
  const sql = new Client({ connectionString: database.url });
  await sql.connect();
  onTeardown(() => sql.end());
  const papers = await seedDemoDay(sql, new Date());
  const apiPort = await freePort();
  const api = `http://127.0.0.1:${apiPort}`;
  const apiProcess = await startChild(process.execPath, [join(root, 'dist/apps/api/src/main.js')], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      APP_SECRET: 'bench-secret-bench-secret-bench-secret',
      PUBLIC_URL: api,
      PORT: String(apiPort),
      LOG_LEVEL: logLevel,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitFor(async () => (await fetch(`${api}${PATHS.papers}`).catch(() => null))?.ok === true, 60_000);

  // The very bytes the api serves, as static files: plain, and its gzip bytes for nginx's gzip_static.
  const html = join(work, 'html');
  const served: Record<string, { plain: Buffer; gzip: Buffer; etag: string }> = {};
  for (const path of Object.values(PATHS)) {
    const plain = await rawGet(`${api}${path}`, { 'accept-encoding': 'identity' });
    const gzip = await rawGet(`${api}${path}`, { 'accept-encoding': 'gzip' });
    if (gzip.headers['content-encoding'] !== 'gzip') {
      throw new Error(`The api did not answer ${path} with gzip`);
    }
    served[path] = { plain: plain.body, gzip: gzip.body, etag: String(gzip.headers.etag) };
    mkdirSync(join(html, path, '..'), { recursive: true, mode: 0o755 });
    writeFileSync(join(html, path), plain.body, { mode: 0o644 });
    writeFileSync(join(html, `${path}.gz`), gzip.body, { mode: 0o644 });
  }
  const nginxPort = await freePort();
  const nginx = `http://127.0.0.1:${nginxPort}`;
  const nginxProcess = await startNginx(nginxBinary, work, nginxPort);
  await waitFor(async () => (await fetch(`${nginx}${PATHS.papers}`).catch(() => null))?.ok === true, 10_000);
  for (const path of Object.values(PATHS)) {
    const plain = await rawGet(`${nginx}${path}`, { 'accept-encoding': 'identity' });
    const gzip = await rawGet(`${nginx}${path}`, { 'accept-encoding': 'gzip' });
    if (!plain.body.equals(served[path].plain) || !gzip.body.equals(served[path].gzip)) {
      throw new Error(`nginx does not serve the api's bytes for ${path}`);
    }
  }

  console.log(
    `${papers} papers; autocannon ${connections} connections, ${workers} thread(s), best of ${rounds} runs of ${duration} s ` +
      `after 2 s of warm-up; api LOG_LEVEL=${logLevel}`,
  );
  const apiPids = [apiProcess.pid ?? 0];
  const nginxPids = workersOf(nginxProcess.pid ?? 0);
  const rows: string[] = [];
  for (const path of Object.values(PATHS)) {
    const { plain, gzip, etag } = served[path];
    const identity = { 'accept-encoding': 'identity' };
    const gzipped = { 'accept-encoding': 'gzip' };
    const plainRun = await compare(`${nginx}${path}`, nginxPids, `${api}${path}`, apiPids, identity);
    const gzipRun = await compare(`${nginx}${path}`, nginxPids, `${api}${path}`, apiPids, gzipped);
    const notModified = await best(`${api}${path}`, apiPids, { ...gzipped, 'if-none-match': etag }, 304);
    rows.push(
      `  ${path}
  ${`${plain.length} bytes`.padEnd(19)} nginx ${line(plainRun.nginx)}
  ${''.padEnd(19)} api   ${line(plainRun.api)}   ratio ${(plainRun.api.rps / plainRun.nginx.rps).toFixed(2)}
  ${`${gzip.length} bytes gzip`.padEnd(19)} nginx ${line(gzipRun.nginx)}
  ${''.padEnd(19)} api   ${line(gzipRun.api)}   ratio ${(gzipRun.api.rps / gzipRun.nginx.rps).toFixed(2)}
  ${'304 (If-None-Match)'.padEnd(19)} api   ${line(notModified)}`,
    );
  }
  console.log(`\nFeed throughput (${new Date().toISOString()})\n${rows.join('\n')}`);
}

interface Figure {
  rps: number;
  mbps: number;
  p50: number;
  p99: number;
  /** The server's CPU time (user + system) per request. */
  cpuMs: number;
}

/** The best run of each server, the two taking turns. */
async function compare(
  baselineUrl: string,
  baselinePids: number[],
  apiUrl: string,
  apiPids: number[],
  headers: Record<string, string>,
): Promise<{ nginx: Figure; api: Figure }> {
  let nginx: Figure | null = null;
  let api: Figure | null = null;
  for (let round = 0; round < rounds; round++) {
    nginx = faster(nginx, await measure(baselineUrl, baselinePids, headers));
    api = faster(api, await measure(apiUrl, apiPids, headers));
  }
  return { nginx: nginx as Figure, api: api as Figure };
}

async function best(url: string, pids: number[], headers: Record<string, string>, status: number): Promise<Figure> {
  let figure: Figure | null = null;
  for (let round = 0; round < rounds; round++) {
    figure = faster(figure, await measure(url, pids, headers, status));
  }
  return figure as Figure;
}

const faster = (a: Figure | null, b: Figure): Figure => (a && a.rps >= b.rps ? a : b);

/** A warm-up of 2 s (JIT, connection pools, the feed cache), then the measured run; every answer must be `status`. */
async function measure(url: string, pids: number[], headers: Record<string, string>, status = 200): Promise<Figure> {
  await autocannon({ url, connections, duration: 2, workers, headers });
  const cpuBefore = cpuMs(pids);
  const result = await autocannon({ url, connections, duration, workers, headers });
  const cpu = cpuMs(pids) - cpuBefore;
  const unexpected = Object.entries(result.statusCodeStats)
    .filter(([code]) => code !== String(status))
    .reduce((sum, [, { count }]) => sum + count, 0);
  if (result.errors > 0 || result.timeouts > 0 || unexpected > 0) {
    throw new Error(
      `${url}: ${result.errors} errors, ${result.timeouts} timeouts, ${unexpected} answers not ${status}`,
    );
  }
  return {
    rps: result.requests.average,
    mbps: result.throughput.average / 1e6,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuMs: cpu / Math.max(1, result.requests.total),
  };
}

/** User + system CPU milliseconds of these processes so far (Linux /proc; clock ticks of 10 ms). */
function cpuMs(pids: number[]): number {
  return pids.reduce((sum, pid) => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return sum + (Number(fields[11]) + Number(fields[12])) * 10;
  }, 0);
}

/** nginx's worker processes: the children of its master. */
function workersOf(master: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]) === master;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** A GET whose body is kept as sent (fetch would inflate gzip). */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

function line(figure: Figure): string {
  return `${figure.rps.toFixed(0).padStart(6)} req/s, ${figure.mbps.toFixed(1).padStart(5)} MB/s, p50 ${figure.p50} ms, p99 ${figure.p99} ms, ${figure.cpuMs.toFixed(3)} ms CPU/request`;
}

/** nginx in the foreground on a loopback port, every path under the temporary prefix, one worker like one api. */
function startNginx(binary: string, prefix: string, port: number): Promise<ChildProcess> {
  writeFileSync(
    join(prefix, 'nginx.conf'),
    `worker_processes 1;
pid nginx.pid;
error_log stderr warn;
events { worker_connections 1024; }
http {
  access_log off;
  types { application/rss+xml rss; }
  sendfile on;
  gzip_static on;
  client_body_temp_path tmp/body;
  proxy_temp_path tmp/proxy;
  fastcgi_temp_path tmp/fastcgi;
  uwsgi_temp_path tmp/uwsgi;
  scgi_temp_path tmp/scgi;
  server {
    listen 127.0.0.1:${port};
    root html;
    add_header Cache-Control "public, max-age=300";
  }
}
`,
  );
  mkdirSync(join(prefix, 'tmp'), { recursive: true });
  return startChild(binary, ['-p', `${prefix}/`, '-c', 'nginx.conf', '-e', 'stderr', '-g', 'daemon off;'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

runBench(main);
