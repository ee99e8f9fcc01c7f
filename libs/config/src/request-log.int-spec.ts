import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pinoHttp from 'pino-http';
import { pinoHttpOptions } from './logging.module';

const TOKEN = 'W2k8c1x0Ttm3bFJ5o9m4GQ8vTnq0mZ1Lqc2Xk3y7aBud.mf8k2a.Zk9xQ2bW7cR1tY5uI3oP0aS8dF6gH4jK2lZ9xC7vB5n';

/** The request lines the apps' logger writes, from a real HTTP server on loopback. */
describe('logged requests', () => {
  let server: Server;
  let base: string;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(
          ...chunk
            .toString()
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line) as Record<string, unknown>),
        );
        done();
      },
    });
    const logger = pinoHttp(pinoHttpOptions({ LOG_LEVEL: 'info', production: true }), stream);
    server = createServer((req, res) => {
      logger(req, res);
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("should log neither a query string's tokens nor a vote link's token in its path", async () => {
    for (const path of [`/vote/${TOKEN}`, `/vote/${TOKEN}?utm=x`, `/base/vote/${encodeURIComponent(TOKEN)}/`]) {
      await fetch(`${base}${path}`);
    }
    await fetch(`${base}/unsubscribe?token=${TOKEN}`);
    await fetch(`${base}/papers/2411.00001`);
    const urls = lines.map((line) => (line.req as { url: string }).url);
    expect(urls).toEqual([
      '/vote/[token]',
      '/vote/[token]',
      '/base/vote/[token]/',
      '/unsubscribe',
      '/papers/2411.00001',
    ]);
    expect(JSON.stringify(lines)).not.toContain(TOKEN.slice(0, 20));
  });
});
