import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, isIP, type LookupFunction } from 'node:net';
import { pipeline, Readable } from 'node:stream';
import { brotliCompressSync, createGzip, deflateSync, gzipSync } from 'node:zlib';
import { HttpClient, HttpClientError, type HttpClientOptions } from '@libs/http';

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const FEED = '<rss version="2.0"><channel><title>arXiv cs.LG</title></channel></rss>';

/** Loopback server whose routes are set per test; records every request it receives. */
class TestServer {
  readonly seen: Seen[] = [];
  readonly routes = new Map<string, Handler>();
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      this.seen.push({ method: req.method ?? '', path, headers: req.headers, body: Buffer.concat(chunks).toString() });
      const handler = this.routes.get(path);
      if (handler) {
        handler(req, res);
      } else {
        res.writeHead(404).end('no route');
      }
    });
  });

  async start(): Promise<void> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path: string, host = '127.0.0.1'): string {
    return `http://${host}:${this.port}${path}`;
  }

  reset(): void {
    this.seen.length = 0;
    this.routes.clear();
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}

/** Resolver stub: every name resolves to `ip` (honours `all`, which net uses with autoSelectFamily). */
function resolveTo(ip: string): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) {
      callback(null, [{ address: ip, family: isIP(ip) }]);
    } else {
      callback(null, ip, isIP(ip));
    }
  };
}

async function rejection(promise: Promise<unknown>): Promise<HttpClientError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof HttpClientError) {
      return err;
    }
    throw err;
  }
  throw new Error('expected the request to fail');
}

describe('HttpClient (loopback servers)', () => {
  const server = new TestServer();
  const clients: HttpClient[] = [];
  const newClient = (options: Partial<HttpClientOptions> = {}): HttpClient => {
    const client = new HttpClient({ allowPrivateTargets: true, userAgent: 'paperboy-test/1.0', ...options });
    clients.push(client);
    return client;
  };
  let client: HttpClient;

  beforeAll(async () => {
    await server.start();
    client = newClient();
  });

  beforeEach(() => server.reset());

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server.stop();
  });

  describe('responses', () => {
    it('returns status, lower-case joined headers and body, and sends the user agent', async () => {
      server.routes.set('/feed', (_req, res) => {
        res.setHeader('Content-Type', 'application/rss+xml');
        res.setHeader('X-Multi', ['a', 'b']);
        res.end(FEED);
      });

      const res = await client.request({ url: server.url('/feed'), headers: { Accept: 'application/rss+xml' } });

      expect(res).toMatchObject({ status: 200, url: server.url('/feed'), redirected: false, permanentRedirect: false });
      expect(res.headers).toMatchObject({ 'content-type': 'application/rss+xml', 'x-multi': 'a, b' });
      expect(res.body.toString()).toBe(FEED);
      expect(server.seen[0].headers).toMatchObject({
        'user-agent': 'paperboy-test/1.0',
        accept: 'application/rss+xml',
      });
    });

    it.each([
      ['gzip', gzipSync],
      ['deflate', deflateSync],
      ['br', brotliCompressSync],
    ])('decodes a %s body', async (encoding, compress) => {
      server.routes.set('/compressed', (_req, res) => {
        res.writeHead(200, { 'Content-Encoding': encoding }).end(compress(Buffer.from(FEED)));
      });

      const res = await client.request({ url: server.url('/compressed') });

      expect(res.body.toString()).toBe(FEED);
      expect(server.seen[0].headers['accept-encoding']).toBe('gzip, deflate, br');
    });

    it.each([304, 404, 500])('returns a %s as a status, not an error', async (status) => {
      server.routes.set('/status', (_req, res) => {
        res.writeHead(status, { ETag: '"v1"' }).end(status === 304 ? undefined : 'nope');
      });

      const res = await client.request({ url: server.url('/status'), headers: { 'If-None-Match': '"v1"' } });

      expect(res.status).toBe(status);
      expect(res.headers.etag).toBe('"v1"');
      expect(res.body.toString()).toBe(status === 304 ? '' : 'nope');
    });

    it('POSTs a JSON body and does not follow redirects by default', async () => {
      server.routes.set('/hook', (_req, res) => res.writeHead(302, { Location: '/elsewhere' }).end());
      const payload = JSON.stringify({ text: 'arXiv digest · 14 papers' });

      const res = await client.request({
        url: server.url('/hook'),
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: payload,
      });

      expect(res.status).toBe(302);
      expect(server.seen).toHaveLength(1);
      expect(server.seen[0]).toMatchObject({ method: 'POST', path: '/hook', body: payload });
      expect(server.seen[0].headers['content-type']).toBe('application/json');
    });
  });

  describe('limits', () => {
    it('aborts an endless gzip bomb once the decoded body passes the cap', async () => {
      // Gzipped zeros forever: only a cap on the decoded stream ends this before the deadline.
      server.routes.set('/bomb', (_req, res) => {
        res.writeHead(200, { 'Content-Encoding': 'gzip' });
        const zeros = new Readable({ read: () => void zeros.push(Buffer.alloc(64 * 1024)) });
        pipeline(zeros, createGzip(), res, () => undefined);
      });

      const err = await rejection(
        client.request({ url: server.url('/bomb'), maxBytes: 1024 * 1024, timeoutMs: 10_000 }),
      );

      expect(err.kind).toBe('too-large');
      expect(err.message).toBe(`GET ${server.url('/bomb')}: response body exceeds 1048576 bytes`);
    });

    it('rejects a declared content-length over the cap without waiting for the body', async () => {
      server.routes.set('/huge', (_req, res) => {
        res.writeHead(200, { 'Content-Length': String(50 * 1024 * 1024) });
        res.write('x'); // then stall: only the early check can end this before the deadline
      });

      const started = Date.now();
      const err = await rejection(client.request({ url: server.url('/huge'), maxBytes: 1024, timeoutMs: 5_000 }));

      expect(err.kind).toBe('too-large');
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it('caps an undeclared plain body too', async () => {
      server.routes.set('/chunked', (_req, res) => {
        res.write(Buffer.alloc(600));
        res.end(Buffer.alloc(600));
      });

      await expect(client.request({ url: server.url('/chunked'), maxBytes: 1000 })).rejects.toMatchObject({
        kind: 'too-large',
      });
      await expect(client.request({ url: server.url('/chunked'), maxBytes: 1200 })).resolves.toMatchObject({
        status: 200,
      });
    });

    it('times out a body that trickles in one byte per 200 ms', async () => {
      server.routes.set('/trickle', (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        const timer = setInterval(() => res.write('.'), 200);
        res.on('close', () => clearInterval(timer));
      });

      const started = Date.now();
      const err = await rejection(client.request({ url: server.url('/trickle'), timeoutMs: 500 }));

      expect(err.kind).toBe('timeout');
      expect(err.transient).toBe(true);
      expect(err.message).toBe(`GET ${server.url('/trickle')}: no complete response within 500 ms`);
      expect(Date.now() - started).toBeLessThan(1_500);
    });

    it('times out a server that never sends headers', async () => {
      server.routes.set('/silent', () => undefined);

      const err = await rejection(client.request({ url: server.url('/silent'), timeoutMs: 300 }));

      expect(err.kind).toBe('timeout');
    });

    it('reports a refused connection as a transient network error', async () => {
      const closed = new TestServer();
      await closed.start();
      const url = closed.url('/gone');
      await closed.stop();

      const err = await rejection(client.request({ url }));

      expect(err).toMatchObject({ kind: 'network', transient: true });
      expect(err.message).toContain('ECONNREFUSED');
    });
  });

  describe('redirects', () => {
    const redirect =
      (status: number, location: string): Handler =>
      (_req, res) =>
        res.writeHead(status, { Location: location }).end('moved');

    it('follows a chain of three 301/308 hops and reports it as permanent', async () => {
      server.routes.set('/a', redirect(301, '/b'));
      server.routes.set('/b', redirect(308, server.url('/c')));
      server.routes.set('/c', redirect(301, '/feed'));
      server.routes.set('/feed', (_req, res) => res.end(FEED));

      const res = await client.request({ url: server.url('/a') });

      expect(res).toMatchObject({ status: 200, url: server.url('/feed'), redirected: true, permanentRedirect: true });
      expect(res.body.toString()).toBe(FEED);
      expect(server.seen.map((s) => s.path)).toEqual(['/a', '/b', '/c', '/feed']);
    });

    it('is not permanent when any hop is temporary', async () => {
      server.routes.set('/a', redirect(301, '/b'));
      server.routes.set('/b', redirect(302, '/feed'));
      server.routes.set('/feed', (_req, res) => res.end(FEED));

      const res = await client.request({ url: server.url('/a') });

      expect(res).toMatchObject({ status: 200, redirected: true, permanentRedirect: false });
    });

    it('stops a redirect loop after maxRedirects hops', async () => {
      server.routes.set('/loop', redirect(302, '/loop'));

      const err = await rejection(client.request({ url: server.url('/loop') }));

      expect(err.kind).toBe('too-many-redirects');
      expect(err.message).toBe(`GET ${server.url('/loop')}: more than 3 redirects`);
      expect(server.seen).toHaveLength(4);
    });

    it('returns the redirect itself when followRedirects is false', async () => {
      server.routes.set('/old', redirect(301, '/new'));

      const res = await client.request({ url: server.url('/old'), followRedirects: false });

      expect(res).toMatchObject({ status: 301, redirected: false });
      expect(res.headers.location).toBe('/new');
    });

    it('re-validates every hop: a redirect to a non-http scheme is refused', async () => {
      server.routes.set('/to-file', redirect(302, 'file:///etc/passwd'));

      const err = await rejection(client.request({ url: server.url('/to-file') }));

      expect(err.kind).toBe('invalid-url');
      expect(err.url).toBe('file:///etc/passwd');
    });

    it('turns a POST into a body-less GET on 303', async () => {
      server.routes.set('/submit', redirect(303, '/done'));
      server.routes.set('/done', (_req, res) => res.end('ok'));

      const res = await client.request({
        url: server.url('/submit'),
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"a":1}',
        followRedirects: true,
      });

      expect(res.body.toString()).toBe('ok');
      expect(server.seen[1]).toMatchObject({ method: 'GET', path: '/done', body: '' });
      expect(server.seen[1].headers['content-type']).toBeUndefined();
    });

    it('drops credentials when a redirect changes origin', async () => {
      // 127.0.0.1 and localhost are different origins served by the same test server.
      server.routes.set('/cross', redirect(302, server.url('/landing', 'localhost')));
      server.routes.set('/landing', (_req, res) => res.end('ok'));

      await client.request({ url: server.url('/cross'), headers: { Authorization: 'Bearer t0k3n', 'X-Trace': '1' } });

      expect(server.seen[0].headers.authorization).toBe('Bearer t0k3n');
      expect(server.seen[1].headers.authorization).toBeUndefined();
      expect(server.seen[1].headers['x-trace']).toBe('1');
    });
  });

  describe('SSRF protection (allowPrivateTargets: false)', () => {
    beforeEach(() => server.routes.set('/feed', (_req, res) => res.end(FEED)));

    it.each(['127.0.0.1', 'localhost', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '[::7f00:1]', '2130706433'])(
      'refuses http://%s:<port>/ before any request reaches the server',
      async (host) => {
        const guarded = newClient({ allowPrivateTargets: false });

        const err = await rejection(guarded.request({ url: server.url('/feed', host) }));

        expect(err.kind).toBe('blocked-target');
        expect(err.transient).toBe(false);
        expect(server.seen).toHaveLength(0);
      },
    );

    it('reaches the same server through localhost when private targets are allowed', async () => {
      const res = await client.request({ url: server.url('/feed', 'localhost') });

      expect(res.body.toString()).toBe(FEED);
      expect(server.seen).toHaveLength(1);
    });

    it.each(['127.0.0.1', '::ffff:a00:1', '::ffff:7f00:1', '::7f00:1', '169.254.169.254', 'fd00::2'])(
      'checks the address DNS returns at connect time (feeds.example -> %s)',
      async (ip) => {
        const guarded = newClient({ allowPrivateTargets: false, lookup: resolveTo(ip) });

        const err = await rejection(guarded.request({ url: server.url('/feed', 'feeds.example') }));

        expect(err.kind).toBe('blocked-target');
        expect(err.message).toContain(`feeds.example resolves to ${ip}`);
        expect(server.seen).toHaveLength(0);
      },
    );

    it('connects to whatever the injected resolver returns (so the stub above is what gets checked)', async () => {
      const open = newClient({ lookup: resolveTo('127.0.0.1') });

      const res = await open.request({ url: server.url('/feed', 'feeds.example') });

      expect(res.status).toBe(200);
      expect(server.seen[0].headers.host).toBe(`feeds.example:${server.port}`);
    });
  });
});
