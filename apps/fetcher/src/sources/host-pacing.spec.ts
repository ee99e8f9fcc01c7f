import { DEFAULT_PACING_RULES, HostPacer } from './host-pacer';

describe(HostPacer.name, () => {
  const rules = [{ name: 'slow', hosts: /(^|\.)slow\.test$/, intervalMs: 40 }];

  it('should run requests to a paced group one at a time, an interval apart', async () => {
    const pacer = new HostPacer(rules);
    const events: string[] = [];
    const started: number[] = [];
    const task = (name: string) => async () => {
      started.push(Date.now());
      events.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      events.push(`end ${name}`);
      return name;
    };

    const results = await Promise.all([
      pacer.run('https://a.slow.test/x', task('a')),
      pacer.run('https://slow.test/y?q=1', task('b')),
      pacer.run('https://b.slow.test/z', task('c')),
    ]);

    expect(results).toEqual(['a', 'b', 'c']);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(started[1] - started[0]).toBeGreaterThanOrEqual(35);
    expect(started[2] - started[1]).toBeGreaterThanOrEqual(35);
  });

  it('should not pace other hosts, nor keep a failure from releasing the next request', async () => {
    const pacer = new HostPacer(rules);
    const order: string[] = [];

    const failing = pacer.run('https://slow.test/', () => Promise.reject(new Error('boom')));
    const other = pacer.run('https://fast.test/', async () => order.push('fast'));
    const next = pacer.run('https://slow.test/', async () => order.push('slow'));

    await expect(failing).rejects.toThrow('boom');
    await Promise.all([other, next]);
    expect(order).toEqual(['fast', 'slow']);
  });

  it('should pace every arXiv host together, 3 seconds apart', () => {
    const [arxiv] = DEFAULT_PACING_RULES;
    expect(arxiv.intervalMs).toBe(3000);
    for (const host of ['arxiv.org', 'export.arxiv.org', 'rss.arxiv.org']) {
      expect(arxiv.hosts.test(host)).toBe(true);
    }
    expect(arxiv.hosts.test('notarxiv.org')).toBe(false);
  });
});
