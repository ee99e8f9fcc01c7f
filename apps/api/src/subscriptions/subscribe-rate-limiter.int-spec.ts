import { ServiceUnavailableException } from '@nestjs/common';
import { createServer } from 'node:net';
import { loadSettings } from '@libs/config';
import { SubscribeRateLimiter } from './subscribe-rate-limiter';

/** A loopback port nothing listens on: Redis refused, as while it is down or a cluster fails over. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('SubscribeRateLimiter without Redis', () => {
  it('should answer 503, which a client may retry, when Redis cannot count the request', async () => {
    const limiter = new SubscribeRateLimiter(loadSettings({ REDIS_URL: `redis://127.0.0.1:${await closedPort()}` }));
    try {
      const refused = limiter.admitClient('192.0.2.1');
      await expect(refused).rejects.toBeInstanceOf(ServiceUnavailableException);
      await expect(refused).rejects.toThrow('Subscribing is paused for a moment');
    } finally {
      limiter.onModuleDestroy();
    }
  });
});
