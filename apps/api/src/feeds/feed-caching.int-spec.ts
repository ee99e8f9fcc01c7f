import { signToken } from '@libs/domain';
import { waitFor } from '../../../../test/support/processes';
import { FORMATS, SECRET, useFeedsApi } from '../../../../test/support/feeds-context';

/** Conditional GETs of the feeds: ETag, Last-Modified, 304 and Cache-Control. */
describe('caching: ETag, Last-Modified, 304, Cache-Control', () => {
  const ctx = useFeedsApi('feeds-cache');
  const { http, get } = ctx;

  const PATHS = [
    ...FORMATS.map((format) => `/feeds/papers.${format}`),
    '/feeds/topics/llm.atom',
    '/feeds/papers.rss?q=public',
  ];

  it('should send a strong ETag, Last-Modified and public Cache-Control, and the same ETag while nothing changes', async () => {
    for (const path of PATHS) {
      const first = await get(path);
      const second = await get(path);

      expect({ path, status: first.status }).toEqual({ path, status: 200 });
      expect(first.headers.etag).toMatch(/^"[A-Za-z0-9_-]{16,}"$/);
      expect(Number.isNaN(Date.parse(String(first.headers['last-modified'])))).toBe(false);
      expect(first.headers['cache-control']).toBe('public, max-age=300');
      expect({ path, etag: second.headers.etag, text: second.text }).toEqual({
        path,
        etag: first.headers.etag,
        text: first.text,
      });
    }
  });

  it('should answer 304 without a body to a matching If-None-Match or a current If-Modified-Since, 200 otherwise', async () => {
    for (const path of PATHS) {
      const first = await get(path);
      const etag = String(first.headers.etag);
      const lastModified = String(first.headers['last-modified']);

      const byTag = await http().get(path).set('if-none-match', etag);
      expect({ path, status: byTag.status, body: byTag.text ?? '' }).toEqual({ path, status: 304, body: '' });
      expect(byTag.headers.etag).toBe(etag);
      const inList = await http().get(path).set('if-none-match', `"other", ${etag}`);
      expect(inList.status).toBe(304);
      const byDate = await http().get(path).set('if-modified-since', lastModified);
      expect({ path, status: byDate.status }).toEqual({ path, status: 304 });
      const otherTag = await http().get(path).set('if-none-match', '"something-else"');
      expect({ path, status: otherTag.status }).toEqual({ path, status: 200 });
      const earlier = new Date(Date.parse(lastModified) - 1000).toUTCString();
      const olderDate = await http().get(path).set('if-modified-since', earlier);
      expect({ path, status: olderDate.status }).toEqual({ path, status: 200 });
      expect(olderDate.text).toBe(first.text);
    }
  });

  it('should send gzip to readers that accept it, with its own ETag, and the plain bytes to the others', async () => {
    const plain = await http().get('/feeds/papers.atom').set('accept-encoding', 'identity');
    const zipped = await http().get('/feeds/papers.atom').set('accept-encoding', 'gzip, deflate, br');

    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(zipped.headers['content-encoding']).toBe('gzip');
    for (const response of [plain, zipped]) {
      expect(response.status).toBe(200);
      expect(response.headers.vary).toMatch(/accept-encoding/i);
    }
    // supertest has inflated the gzip body: the same document.
    expect(zipped.text).toBe(plain.text);
    expect(zipped.headers.etag).not.toBe(plain.headers.etag);
    expect(Number(zipped.headers['content-length'])).toBeLessThan(Number(plain.headers['content-length']));
    const revalidated = await http()
      .get('/feeds/papers.atom')
      .set('accept-encoding', 'gzip')
      .set('if-none-match', String(zipped.headers.etag));
    expect(revalidated.status).toBe(304);
    const head = await http().head('/feeds/papers.atom').set('accept-encoding', 'gzip');
    expect(head.status).toBe(200);
    expect(head.headers.etag).toBe(zipped.headers.etag);
    expect(head.headers['content-length']).toBe(zipped.headers['content-length']);
    expect(head.text ?? '').toBe('');
    const otherCoding = await http()
      .get('/feeds/papers.atom')
      .set('accept-encoding', 'identity')
      .set('if-none-match', String(zipped.headers.etag));
    expect(otherCoding.status).toBe(200);
  });

  it('should change the ETag and advance Last-Modified once a listed paper changes, and answer the old validators 200', async () => {
    const paperId = await ctx.newPaper({
      arxivId: '2412.30001',
      title: 'A public paper about to be retitled',
      listedAt: '2024-12-30T08:00:00Z',
    });
    // Public feeds check for changed papers at most once a second: wait until the feed lists the paper.
    const before = await waitFor('the feed to list the new paper', async () => {
      const response = await get('/feeds/papers.rss');
      return response.text.includes('A public paper about to be retitled') ? response : undefined;
    });

    await ctx.sql.query(`UPDATE papers SET title = 'A retitled public paper', "updatedAt" = now() WHERE id = $1`, [
      paperId,
    ]);

    const after = await waitFor('the feed to show the new title', async () => {
      const response = await http().get('/feeds/papers.rss').set('if-none-match', String(before.headers.etag));
      return response.status === 200 && response.text.includes('A retitled public paper') ? response : undefined;
    });
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(Date.parse(String(after.headers['last-modified']))).toBeGreaterThan(
      Date.parse(String(before.headers['last-modified'])),
    );
    const sinceBefore = await http()
      .get('/feeds/papers.rss')
      .set('if-modified-since', String(before.headers['last-modified']));
    expect(sinceBefore.status).toBe(200);
  });

  it('should answer a poll of a feed rendered within the last second from memory, before the router, with the same bytes and headers', async () => {
    const rendered = await get('/feeds/topics/llm.rss');
    // Served by FeedsController: it carries the access log's request id.
    expect(rendered.headers['x-request-id']).toEqual(expect.any(String));

    const polled = await get('/feeds/topics/llm.rss');
    const revalidated = await http().get('/feeds/topics/llm.rss').set('if-none-match', String(rendered.headers.etag));

    // The fast path answers before the access log, hence no request id; everything else is the same.
    expect(polled.headers['x-request-id']).toBeUndefined();
    expect(polled.text).toBe(rendered.text);
    for (const header of [
      'etag',
      'last-modified',
      'cache-control',
      'content-type',
      'vary',
      'x-content-type-options',
    ]) {
      expect({ header, value: polled.headers[header] }).toEqual({ header, value: rendered.headers[header] });
    }
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers['x-request-id']).toBeUndefined();
    // What the fast path cannot answer goes on to the controller, with its checks.
    expect((await get('/feeds/topics/no-such-topic.rss')).status).toBe(404);
    expect((await http().get('/feeds/papers.rss?q=a&q=b')).status).toBe(400);
    expect((await http().post('/feeds/papers.rss')).status).toBe(404);
  });

  it('should give personal feeds validators and 304 too, with private caching', async () => {
    const subscription = await ctx.newSubscription({ email: 'etag@example.org', status: 'active' });
    const paperId = await ctx.newPaper({
      arxivId: '2412.30002',
      title: 'In a personal feed',
      listedAt: '2024-12-29T08:00:00Z',
    });
    await ctx.newDigest(subscription, '2024-12-30', '2024-12-30T08:00:00Z', [paperId]);
    const path = `/feeds/subscription.atom?token=${encodeURIComponent(signToken(SECRET, 'feed', subscription, new Date()))}`;

    const first = await get(path);
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toBe('private, max-age=300');
    expect(first.headers.etag).toMatch(/^"[A-Za-z0-9_-]{16,}"$/);
    // The newest of the digest and its papers: here the paper, inserted after the digest's date.
    expect(Date.parse(String(first.headers['last-modified']))).toBeGreaterThan(Date.parse('2024-12-30T08:00:00Z'));
    const again = await http().get(path).set('if-none-match', String(first.headers.etag));
    expect(again.status).toBe(304);

    const later = await ctx.newPaper({
      arxivId: '2412.30003',
      title: 'A later digest',
      listedAt: '2024-12-30T09:00:00Z',
    });
    await ctx.newDigest(subscription, '2024-12-31', new Date().toISOString(), [later]);
    const changed = await http().get(path).set('if-none-match', String(first.headers.etag));
    expect(changed.status).toBe(200);
    expect(changed.text).toContain('A later digest');
  });
});

