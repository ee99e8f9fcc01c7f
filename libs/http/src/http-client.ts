import { lookup as dnsLookup } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Writable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants as zlib, createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { OnModuleDestroy } from '@nestjs/common';
import { Agent, request as undiciRequest, type Dispatcher } from 'undici';
import { assertPublicAddress, publicOnlyLookup } from './address-policy';
import { BlockedAddressError, HttpClientError } from './http-client.errors';

export interface HttpClientOptions {
  /** Must be false for anything reached through user-supplied or third-party URLs (feeds, webhooks). */
  allowPrivateTargets: boolean;
  userAgent: string;
  /** Total deadline for connect + headers + body, per request including redirects. Default 30 s. */
  defaultTimeoutMs?: number;
  /** Cap on the decoded body. Default 20 MiB. */
  defaultMaxBytes?: number;
  /** Default 3. */
  maxRedirects?: number;
  /** Resolver used at connect time (default `dns.lookup`); the address policy applies to what it returns. */
  lookup?: LookupFunction;
}

export type HttpMethod = 'GET' | 'POST';

export interface HttpRequest {
  url: string;
  method?: HttpMethod;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
  maxBytes?: number;
  /** Default: true for GET, false for POST. */
  followRedirects?: boolean;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names, repeated headers joined with ', '. As received (content-encoding included). */
  headers: Record<string, string>;
  /** Decoded from gzip/deflate/br when content-encoding says so. */
  body: Buffer;
  /** Final URL after redirects. */
  url: string;
  redirected: boolean;
  /** True if at least one redirect was followed and every hop was 301/308: callers may store the new URL. */
  permanentRedirect: boolean;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;
const DEFAULT_MAX_REDIRECTS = 3;
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
const PERMANENT_REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 308]);
// Credentials must not follow a redirect to another origin (same rule as fetch).
const ORIGIN_BOUND_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

// Sync flush tolerates servers that end a compressed stream without its trailer, as browsers and fetch do.
const DECODERS: ReadonlyMap<string, () => Transform> = new Map([
  ['gzip', () => createGunzip({ flush: zlib.Z_SYNC_FLUSH, finishFlush: zlib.Z_SYNC_FLUSH })],
  ['x-gzip', () => createGunzip({ flush: zlib.Z_SYNC_FLUSH, finishFlush: zlib.Z_SYNC_FLUSH })],
  ['deflate', () => createInflate({ flush: zlib.Z_SYNC_FLUSH, finishFlush: zlib.Z_SYNC_FLUSH })],
  [
    'br',
    () => createBrotliDecompress({ flush: zlib.BROTLI_OPERATION_FLUSH, finishFlush: zlib.BROTLI_OPERATION_FLUSH }),
  ],
]);

/** Where a request currently is, so a failure names the hop that failed. */
interface Hop {
  method: HttpMethod;
  url: URL;
}

/** The one outbound HTTP client: deadlines, decoded-size caps, bounded redirects and connect-time SSRF checks. */
export class HttpClient implements OnModuleDestroy {
  private readonly agent: Agent;
  private readonly allowPrivateTargets: boolean;
  private readonly userAgent: string;
  private readonly defaultTimeoutMs: number;
  private readonly defaultMaxBytes: number;
  private readonly maxRedirects: number;

  constructor(options: HttpClientOptions) {
    this.allowPrivateTargets = options.allowPrivateTargets;
    this.userAgent = options.userAgent;
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.defaultMaxBytes = options.defaultMaxBytes ?? DEFAULT_MAX_BYTES;
    this.maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
    const lookup = options.allowPrivateTargets ? options.lookup : publicOnlyLookup(options.lookup ?? dnsLookup);
    this.agent = new Agent({ connect: lookup ? { lookup } : {} });
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const method = req.method ?? 'GET';
    const timeoutMs = req.timeoutMs ?? this.defaultTimeoutMs;
    const signal = AbortSignal.timeout(timeoutMs);
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      throw new HttpClientError('invalid-url', method, req.url, 'invalid URL');
    }
    const hop: Hop = { method, url };
    try {
      return await this.follow(req, hop, signal);
    } catch (err) {
      throw this.toClientError(err, hop, signal, timeoutMs);
    }
  }

  /** Waits for in-flight requests, then closes pooled connections. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  /** Sends `hop`, following redirects; mutates `hop` so the caller knows which hop failed. */
  private async follow(req: HttpRequest, hop: Hop, signal: AbortSignal): Promise<HttpResponse> {
    const maxBytes = req.maxBytes ?? this.defaultMaxBytes;
    const followRedirects = req.followRedirects ?? hop.method === 'GET';
    const headers = this.initialHeaders(req.headers);
    let body = req.body;
    let redirects = 0;
    let permanent = true;

    for (;;) {
      this.assertTargetAllowed(hop);
      const res = await undiciRequest(hop.url, {
        dispatcher: this.agent,
        method: hop.method,
        headers,
        body,
        signal,
      });
      const location = headerValue(res.headers.location);

      if (!followRedirects || !REDIRECT_STATUSES.has(res.statusCode) || location === undefined) {
        return {
          status: res.statusCode,
          headers: flattenHeaders(res.headers),
          body: await readBody(res, maxBytes, hop),
          url: hop.url.href,
          redirected: redirects > 0,
          permanentRedirect: redirects > 0 && permanent,
        };
      }

      await res.body.dump();
      if (redirects === this.maxRedirects) {
        throw new HttpClientError(
          'too-many-redirects',
          hop.method,
          hop.url.href,
          `more than ${this.maxRedirects} redirects`,
        );
      }
      redirects += 1;
      permanent &&= PERMANENT_REDIRECT_STATUSES.has(res.statusCode);

      let next: URL;
      try {
        next = new URL(location, hop.url);
      } catch {
        throw new HttpClientError('invalid-url', hop.method, hop.url.href, 'redirect to an invalid URL');
      }
      if (next.origin !== hop.url.origin) {
        ORIGIN_BOUND_HEADERS.forEach((name) => delete headers[name]);
      }
      // 303, and 301/302 after POST, turn into a body-less GET (fetch semantics); 307/308 replay the request.
      if (res.statusCode === 303 || (hop.method === 'POST' && (res.statusCode === 301 || res.statusCode === 302))) {
        hop.method = 'GET';
        body = undefined;
        delete headers['content-type'];
        delete headers['content-length'];
      }
      hop.url = next;
    }
  }

  private initialHeaders(extra: Record<string, string> = {}): Record<string, string> {
    const headers: Record<string, string> = { 'user-agent': this.userAgent, 'accept-encoding': 'gzip, deflate, br' };
    for (const [name, value] of Object.entries(extra)) {
      headers[name.toLowerCase()] = value;
    }
    return headers;
  }

  /**
   * Runs before every hop. IP-literal hosts never go through DNS, so the connect-time lookup can't see them:
   * check them here (`new URL` already normalised `2130706433`, `0177.0.0.1` and `[::ffff:127.0.0.1]`).
   */
  private assertTargetAllowed(hop: Hop): void {
    if (hop.url.protocol !== 'http:' && hop.url.protocol !== 'https:') {
      throw new HttpClientError('invalid-url', hop.method, hop.url.href, 'only http: and https: URLs are allowed');
    }
    const host = hop.url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (!this.allowPrivateTargets && isIP(host) !== 0) {
      assertPublicAddress(host, host);
    }
  }

  private toClientError(err: unknown, hop: Hop, signal: AbortSignal, timeoutMs: number): HttpClientError {
    if (err instanceof HttpClientError) {
      return err;
    }
    const blocked = findCause(err, BlockedAddressError);
    if (blocked) {
      return new HttpClientError('blocked-target', hop.method, hop.url.href, blocked.message, { cause: err });
    }
    if (signal.aborted) {
      return new HttpClientError('timeout', hop.method, hop.url.href, `no complete response within ${timeoutMs} ms`, {
        cause: err,
      });
    }
    const detail = err instanceof Error ? err.message : String(err);
    return new HttpClientError('network', hop.method, hop.url.href, detail, { cause: err });
  }
}

async function readBody(res: Dispatcher.ResponseData, maxBytes: number, hop: Hop): Promise<Buffer> {
  const tooLarge = (): HttpClientError =>
    new HttpClientError('too-large', hop.method, hop.url.href, `response body exceeds ${maxBytes} bytes`);
  // A 304's content-length describes the cached representation, not this (empty) body.
  if (res.statusCode !== 304 && Number(headerValue(res.headers['content-length']) ?? 0) > maxBytes) {
    res.body.destroy();
    throw tooLarge();
  }

  const chunks: Buffer[] = [];
  let total = 0;
  // The cap applies after decoding, so a gzip bomb stops after maxBytes of output; destroying the pipeline also
  // aborts the download.
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      total += chunk.length;
      if (total > maxBytes) {
        callback(tooLarge());
        return;
      }
      chunks.push(chunk);
      callback();
    },
  });
  await pipeline([res.body, ...decodersFor(headerValue(res.headers['content-encoding'])), sink]);
  return Buffer.concat(chunks, total);
}

/** Decoders in the order to apply them; none if a coding is unknown (the body is then returned as received). */
function decodersFor(contentEncoding: string | undefined): Transform[] {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  const factories = codings.map((coding) => DECODERS.get(coding));
  if (!factories.every((factory) => factory !== undefined)) {
    return [];
  }
  return factories.reverse().map((factory) => factory());
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function flattenHeaders(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const joined = headerValue(value);
    if (joined !== undefined) {
      flat[name.toLowerCase()] = joined;
    }
  }
  return flat;
}

function findCause<T extends Error>(err: unknown, type: abstract new (...args: never[]) => T): T | undefined {
  for (let current = err, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth += 1) {
    if (current instanceof type) {
      return current;
    }
  }
  return undefined;
}
