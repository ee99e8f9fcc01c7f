import { existsSync, readFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { LoopbackServer } from './loopback-server';

/**
 * Loopback HTTP servers standing in for the outside world in the demo and the tests: Hugging Face's
 * Daily Papers API and a Slack incoming webhook. They speak the real formats.
 */
export interface StandIn {
  url: string;
  close(): Promise<void>;
}

/** The repository root, from the sources or from their build in dist/. */
export function repositoryRoot(from: string): string {
  return existsSync(join(from, 'package.json')) ? from : repositoryRoot(dirname(from));
}

export const DEMO_FIXTURE = join(repositoryRoot(__dirname), 'test/fixtures/demo/daily-papers.json');
const FIXTURE_DAY = '2024-09-10';

interface HfEntry {
  paper: { id: string; publishedAt: string; submittedOnDailyAt?: string; [key: string]: unknown };
  publishedAt: string;
  [key: string]: unknown;
}

export interface HfStandIn extends StandIn {
  /** Every request's path and query, in order. */
  requests: string[];
  /** The next `times` requests for `date` answer `status` (a flaky upstream). */
  failDate(date: string, times: number, status?: number): void;
}

/**
 * Serves the fixture's papers as the listing of any date from `firstDay` on. Each later day gets the
 * same papers under new arXiv ids (so every day brings new papers); days before `firstDay` are empty.
 */
export async function startHfStandIn(firstDay: string, fixture = DEMO_FIXTURE): Promise<HfStandIn> {
  const entries = JSON.parse(readFileSync(fixture, 'utf8')) as HfEntry[];
  const requests: string[] = [];
  const failures = new Map<string, { times: number; status: number }>();
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://stand-in');
    if (url.pathname !== '/api/daily_papers') {
      return send(res, 404, { error: 'Not found' });
    }
    const date = url.searchParams.get('date') ?? firstDay;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      return send(res, 400, { error: 'Invalid date' });
    }
    const failure = failures.get(date);
    if (failure && failure.times > 0) {
      failure.times -= 1;
      return send(res, failure.status, { error: 'Service unavailable' });
    }
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 50), 100);
    const page = Number(url.searchParams.get('p') ?? 0);
    const offset = Math.round((Date.parse(date) - Date.parse(firstDay)) / 86_400_000);
    const day = offset < 0 ? [] : entries.map((entry) => redate(entry, date, offset));
    send(res, 200, day.slice(page * limit, (page + 1) * limit));
  });
  const url = await listen(server);
  return {
    url: `${url}/api/daily_papers`,
    requests,
    failDate: (date, times, status = 503) => failures.set(date, { times, status }),
    close: () => close(server),
  };
}

function redate(entry: HfEntry, date: string, offset: number): HfEntry {
  const [yymm, num] = entry.paper.id.split('.');
  const id = `${yymm}.${String(Number(num) + offset * 1000).padStart(5, '0')}`;
  const moved = (iso: string | undefined): string | undefined => iso?.replace(FIXTURE_DAY, date);
  return {
    ...entry,
    publishedAt: moved(entry.publishedAt) as string,
    paper: { ...entry.paper, id, submittedOnDailyAt: moved(entry.paper.submittedOnDailyAt) },
  };
}

export interface SlackMessage {
  text?: string;
  blocks?: { type: string; [key: string]: unknown }[];
}

export interface SlackSink extends StandIn {
  /** The incoming-webhook URL to give a subscription. */
  webhookUrl: string;
  messages: SlackMessage[];
}

/** Accepts Block Kit messages the way Slack does: "ok", or 400 "invalid_blocks"/"no_text". */
export async function startSlackSink(): Promise<SlackSink> {
  const messages: SlackMessage[] = [];
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      if (req.method !== 'POST' || !req.url?.startsWith('/services/')) {
        return sendText(res, 404, 'no_service');
      }
      let message: SlackMessage;
      try {
        message = JSON.parse(body) as SlackMessage;
      } catch {
        return sendText(res, 400, 'invalid_payload');
      }
      if (!message.text && !message.blocks) {
        return sendText(res, 400, 'no_text');
      }
      if (message.blocks && (!Array.isArray(message.blocks) || message.blocks.length > 50)) {
        return sendText(res, 400, 'invalid_blocks');
      }
      messages.push(message);
      sendText(res, 200, 'ok');
    });
  });
  const url = await listen(server);
  return { url, webhookUrl: `${url}/services/T000/B000/demo-secret`, messages, close: () => close(server) };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(body);
}

export function listen(server: Server, port = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** A real arXiv API answer (11 entries of cs.CL, 2024-10-24). */
const ARXIV_API_FIXTURE = join(repositoryRoot(__dirname), 'test/fixtures/arxiv/api-cs.CL-2024-10-24.xml');

/** Serves the arXiv API's `/api/query` on a started loopback server: the fixture's entries an `id_list` names. */
export function routeArxivApi(server: LoopbackServer): void {
  const answer = readFileSync(ARXIV_API_FIXTURE, 'utf8');
  const head = answer.slice(0, answer.indexOf('<entry>'));
  const entries = answer.match(/<entry>[\s\S]*?<\/entry>/g) ?? [];
  server.route('/api/query', (_req, res, url) => {
    const ids = (url.searchParams.get('id_list') ?? '').split(',');
    const named = entries.filter((entry) => ids.some((id) => entry.includes(`abs/${id.replace(/v\d+$/, '')}v`)));
    res.writeHead(200, { 'content-type': 'application/atom+xml' }).end(`${head}${named.join('\n')}</feed>`);
  });
}
