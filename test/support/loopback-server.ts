import { createServer, IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { close, listen } from './stand-ins';

export interface SeenRequest {
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

/**
 * A loopback HTTP server standing in for any upstream: each path answers with the route a test sets
 * for it (404 otherwise), and every request is kept to assert on.
 */
export class LoopbackServer {
  readonly requests: SeenRequest[] = [];
  private readonly routes = new Map<string, Route>();
  private readonly server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://loopback');
    this.requests.push({ path: url.pathname, query: url.searchParams, headers: req.headers });
    const route = this.routes.get(url.pathname);
    if (route) {
      route(req, res, url);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    }
  });

  async start(): Promise<void> {
    await listen(this.server);
  }

  stop(): Promise<void> {
    return close(this.server);
  }

  url(path: string, host = '127.0.0.1'): string {
    return `http://${host}:${(this.server.address() as AddressInfo).port}${path}`;
  }

  route(path: string, route: Route): void {
    this.routes.set(path, route);
  }

  requestsTo(path: string): SeenRequest[] {
    return this.requests.filter((request) => request.path === path);
  }
}

/** Answers with a fixed status, headers and body. */
export const answer =
  (status: number, body: string | Buffer = '', headers: Record<string, string> = {}): Route =>
  (_req, res) => {
    res.writeHead(status, headers).end(body);
  };

/** Answers like a feed server: 304 when the request's validators match, the body with them otherwise. */
export const feed =
  (
    body: string | Buffer,
    validators: { etag: string; lastModified: string },
    contentType = 'application/rss+xml',
  ): Route =>
  (req, res) => {
    const etagMatches = req.headers['if-none-match'] === validators.etag;
    const notModifiedSince = req.headers['if-modified-since'] === validators.lastModified;
    const headers = { etag: validators.etag, 'last-modified': validators.lastModified };
    if (etagMatches || (req.headers['if-none-match'] === undefined && notModifiedSince)) {
      res.writeHead(304, headers).end();
    } else {
      res.writeHead(200, { ...headers, 'content-type': contentType }).end(body);
    }
  };

/** Redirects with `status` to `location` (relative to the server). */
export const redirect =
  (status: number, location: string): Route =>
  (_req, res) => {
    res.writeHead(status, { location }).end();
  };
