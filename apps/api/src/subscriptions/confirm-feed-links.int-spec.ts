import { signToken, verifyToken } from '@libs/domain';
import { BASE, decodeHtml, Format, FORMATS, SECRET, useFeedsApi } from '../../../../test/support/feeds-context';

/** The confirmation page's links to the personal feed. */
describe('GET /subscriptions/confirm: the personal feed links', () => {
  const ctx = useFeedsApi('feeds-confirm');
  const { get, pathOf, rowById, fetchFeed } = ctx;

  it('should link the personal RSS, Atom and JSON feeds on the confirmation page, and those links work', async () => {
    const id = await ctx.newSubscription({ email: 'confirm-feeds@example.org', status: 'pending' });

    const response = await get(
      `/subscriptions/confirm?token=${encodeURIComponent(signToken(SECRET, 'confirm', id, new Date()))}`,
    );

    expect(response.status).toBe(200);
    expect(response.text).toContain('Subscription confirmed');
    expect((await rowById(id)).status).toBe('active');
    const labels: Record<Format, string> = { rss: 'RSS', atom: 'Atom', json: 'JSON Feed' };
    const links = {} as Record<Format, string>;
    for (const format of FORMATS) {
      const href = new RegExp(`<a href="([^"]+)">${labels[format]}</a>`).exec(response.text)?.[1];
      expect({ format, href: typeof href }).toEqual({ format, href: 'string' });
      links[format] = decodeHtml(href as string);
      expect(links[format].startsWith(`${BASE}/feeds/subscription.${format}?token=`)).toBe(true);
      expect(verifyToken(SECRET, 'feed', new URL(links[format]).searchParams.get('token') ?? '', new Date())).toBe(
        id,
      );
    }

    const paper = await ctx.newPaper({
      arxivId: '2412.40001',
      title: 'First paper after confirming',
      listedAt: '2024-12-01T08:00:00Z',
    });
    await ctx.newDigest(id, '2024-12-02', '2024-12-02T08:00:00Z', [paper]);
    for (const format of FORMATS) {
      const feed = await fetchFeed(format, pathOf(links[format]));

      expect(feed.title).toBe('Paperboy: your digest');
      expect({ format, ids: feed.items.map((item) => item.id) }).toEqual({ format, ids: ['arxiv:2412.40001'] });
    }
  });
});
