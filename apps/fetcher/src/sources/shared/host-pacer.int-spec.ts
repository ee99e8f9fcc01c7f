import { Settings } from '@libs/config';
import { deleteQueueKeys } from '../../../../../test/support/processes';
import { testQueuePrefix } from '../../../../../test/support/test-database';
import { HostPacer } from './host-pacer';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('HostPacer across replicas (real Redis)', () => {
  const prefix = testQueuePrefix('pacer');
  const pacers: HostPacer[] = [];
  /** A fetcher replica's pacer: same Redis and prefix, its own process state. */
  const replica = (pacing: string): HostPacer => {
    const pacer = new HostPacer(
      Object.assign(new Settings(), { REDIS_URL, QUEUE_PREFIX: prefix, HOST_PACING: pacing }),
    );
    pacers.push(pacer);
    return pacer;
  };

  afterAll(async () => {
    await Promise.all(pacers.map((pacer) => pacer.onModuleDestroy()));
    await deleteQueueKeys(REDIS_URL, prefix);
  });

  it('should run requests to one paced host one at a time, an interval apart, whichever replica makes them', async () => {
    const [a, b] = [replica('slow.test=0.2'), replica('slow.test=0.2')];
    const spans: { name: string; start: number; end: number }[] = [];
    const request = (name: string) => async () => {
      const start = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 20));
      spans.push({ name, start, end: Date.now() });
      return name;
    };

    const results = await Promise.all([
      a.run('https://slow.test/1', request('a1')),
      b.run('https://api.slow.test/1', request('b1')),
      a.run('https://slow.test/2', request('a2')),
      b.run('https://slow.test/2', request('b2')),
    ]);

    expect(results).toEqual(['a1', 'b1', 'a2', 'b2']);
    spans.sort((x, y) => x.start - y.start);
    for (let i = 1; i < spans.length; i += 1) {
      // Never two at once, and each starts at least the interval after the previous one ended.
      expect(spans[i].start - spans[i - 1].end).toBeGreaterThanOrEqual(195);
    }
  });

  it('should not pace other hosts, nor let a failed request keep the host', async () => {
    const pacer = replica('slow.test=0.1');
    const order: string[] = [];

    const failing = pacer.run('https://slow.test/', () => Promise.reject(new Error('boom')));
    const other = pacer.run('https://fast.test/', async () => order.push('fast'));
    const next = pacer.run('https://slow.test/', async () => order.push('slow'));

    await expect(failing).rejects.toThrow('boom');
    await Promise.all([other, next]);
    expect(order).toEqual(['fast', 'slow']);
  });
});
