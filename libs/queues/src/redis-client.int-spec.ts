import { Logger } from '@nestjs/common';
import { createServer, Server, Socket } from 'node:net';
import { createRedisClient } from './redis-client';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('createRedisClient', () => {
  afterEach(() => jest.restoreAllMocks());

  it('should report an outage once however often it reconnects, and say when Redis is back', async () => {
    const warnings: string[] = [];
    const notes: string[] = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
    jest.spyOn(Logger.prototype, 'log').mockImplementation((message: unknown) => void notes.push(String(message)));
    // A port that refuses every connection until it forwards to the real Redis.
    const target = new URL(REDIS_URL);
    let forward = false;
    const sockets: Socket[] = [];
    const proxy: Server = createServer((client) => {
      sockets.push(client);
      if (!forward) {
        client.destroy();
        return;
      }
      const upstream = new Socket();
      sockets.push(upstream);
      upstream.connect(Number(target.port || 6379), target.hostname);
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const port = (proxy.address() as { port: number }).port;
    const redis = createRedisClient(`redis://127.0.0.1:${port}`, 'test', { retryStrategy: () => 20 });
    try {
      await waitFor(() => sockets.length >= 5);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^Redis: .+ \(commands fail or wait until it is back\)$/);

      forward = true;
      await waitFor(() => notes.includes('Redis is back'));
      expect(await redis.ping()).toBe('PONG');
      expect(warnings).toHaveLength(1);
    } finally {
      redis.disconnect();
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});

async function waitFor(done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) {
      throw new Error('timed out');
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
