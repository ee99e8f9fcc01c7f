import { randomUUID } from 'node:crypto';
import { DigestRepository } from '@libs/database';
import { signToken, TokenPurpose, verifyToken, verifyVoteToken } from '@libs/domain';
import {
  ActiveAnswer,
  BASE,
  decodeHtml,
  Format,
  FORMATS,
  SECRET,
  useFeedsApi,
} from '../../../../test/support/feeds-context';

/** A subscription's personal feed: the papers its digests delivered, behind a signed link. */
describe('personal feeds /feeds/subscription.{rss,atom,json}', () => {
  const ctx = useFeedsApi('feeds-personal');
  const { get, pathOf, subscribe, itemIdsOf, fetchFeed } = ctx;

  let mine: string;
  let other: string;
  let order: string[];
  let othersPaper: string;
  let neverDelivered: string;
  /** The papers of `mine`'s digests, newest digest first then by rank (the feed's order). */
  let minePapers: string[];

  const feedToken = (subscriptionId: string, purpose: TokenPurpose = 'feed'): string =>
    signToken(SECRET, purpose, subscriptionId, ctx.api.now());
  const feedPath = (format: Format, token: string): string =>
    `/feeds/subscription.${format}?token=${encodeURIComponent(token)}`;

  beforeAll(async () => {
    mine = await ctx.newSubscription({ email: 'feed-reader@example.org', status: 'active' });
    other = await ctx.newSubscription({ email: 'someone-else@example.org', status: 'active' });
    // Listing dates disagree with both digest order and rank, so only "newest digest, then rank" fits.
    const oldRank1 = await ctx.newPaper({
      arxivId: '2409.20011',
      title: 'Old digest, rank 1',
      listedAt: '2024-09-01T10:00:00Z',
    });
    const oldRank2 = await ctx.newPaper({
      arxivId: '2409.20012',
      title: 'Old digest, rank 2',
      listedAt: '2024-09-01T12:00:00Z',
    });
    const newRank1 = await ctx.newPaper({
      arxivId: '2409.20021',
      title: 'New digest, rank 1',
      listedAt: '2024-08-30T09:00:00Z',
    });
    const newRank2 = await ctx.newPaper({
      arxivId: '2409.20022',
      title: 'New digest, rank 2',
      listedAt: '2024-09-02T09:00:00Z',
    });
    const newRank3 = await ctx.newPaper({
      arxivId: null,
      title: 'New digest, rank 3',
      listedAt: '2024-09-02T07:00:00Z',
    });
    othersPaper = await ctx.newPaper({
      arxivId: '2409.20031',
      title: 'Only in the other digest',
      listedAt: '2024-09-02T11:00:00Z',
    });
    neverDelivered = await ctx.newPaper({
      arxivId: '2409.20041',
      title: 'Never delivered',
      listedAt: '2024-09-03T11:00:00Z',
    });

    await ctx.newDigest(mine, '2024-09-02', '2024-09-02T08:00:00Z', [oldRank1, oldRank2]);
    await ctx.newDigest(mine, '2024-09-03', '2024-09-03T08:00:00Z', [newRank1, newRank2, newRank3]);
    await ctx.newDigest(other, '2024-09-03', '2024-09-03T08:00:00Z', [othersPaper, newRank1]);
    order = await itemIdsOf([newRank1, newRank2, newRank3, oldRank1, oldRank2]);
    minePapers = [newRank1, newRank2, newRank3, oldRank1, oldRank2];
    // newRank2 was an explore slot: its votes are kept apart.
    await ctx.sql.query(
      `UPDATE digest_papers SET explore = ("paperId" = $2) WHERE "subscriptionId" = $1`,
      [mine, newRank2],
    );
  });

  it("should give every item the subscriber's 👍 / 👎 links, which record nothing when fetched", async () => {
    const token = feedToken(mine);
    for (const format of FORMATS) {
      const feed = await fetchFeed(format, feedPath(format, token));
      // RSS and Atom carry the HTML escaped once more; readers unescape it.
      const links = feed.items.map((item) =>
        [...decodeHtml(item.content).matchAll(/<a href="([^"]+)">(👍 Useful|👎 Not for me)<\/a>/g)].map((match) =>
          decodeHtml(match[1]),
        ),
      );
      const claims = links.map((pair) =>
        pair.map((url) => {
          expect(url.startsWith(`${BASE}/vote/`)).toBe(true);
          return verifyVoteToken(SECRET, decodeURIComponent(url.slice(`${BASE}/vote/`.length)), ctx.api.now(), 0);
        }),
      );
      expect({ format, claims }).toEqual({
        format,
        claims: minePapers.map((paperId) =>
          (['up', 'down'] as const).map((vote) => ({
            subscriptionId: mine,
            paperId,
            vote,
            source: paperId === minePapers[1] ? 'explore' : 'digest',
          })),
        ),
      });
      // A feed reader (or a scanner) that fetches every link votes for nobody.
      for (const url of links.flat()) {
        const page = await get(pathOf(url));
        expect(page.status).toBe(200);
        expect(page.text).toContain('<form');
      }
    }
    const votes = await ctx.sql.query(`SELECT 1 FROM paper_votes WHERE "subscriptionId" = $1`, [mine]);
    expect(votes.rowCount).toBe(0);
  });

  it("should read the explore marks of the feed's papers only, not of every paper the subscriber was sent", async () => {
    const digests = ctx.api.app.get(DigestRepository);
    const [, explored, ...rest] = minePapers;

    expect([...(await digests.exploredPaperIds(mine, minePapers))]).toEqual([explored]);
    expect([...(await digests.exploredPaperIds(mine, rest))]).toEqual([]);
    expect([...(await digests.exploredPaperIds(other, minePapers))]).toEqual([]);
    expect([...(await digests.exploredPaperIds(mine, []))]).toEqual([]);
  });

  it("should list exactly the papers of the subscription's digests, newest digest first then by rank, in every format", async () => {
    const token = feedToken(mine);
    const unwanted = await itemIdsOf([othersPaper, neverDelivered]);

    for (const format of FORMATS) {
      const feed = await fetchFeed(format, feedPath(format, token));

      expect({ format, ids: feed.items.map((item) => item.id) }).toEqual({ format, ids: order });
      expect(feed.items.map((item) => item.title)).toEqual([
        'New digest, rank 1',
        'New digest, rank 2',
        'New digest, rank 3',
        'Old digest, rank 1',
        'Old digest, rank 2',
      ]);
      for (const id of unwanted) {
        expect(feed.items.map((item) => item.id)).not.toContain(id);
      }
      expect(feed.title).toBe('Paperboy: your digest');
      expect(feed.self).toBe(`${BASE}${feedPath(format, token)}`);
    }
  });

  it("should list another subscription's own digest papers, including a paper both were sent", async () => {
    const feed = await fetchFeed('json', feedPath('json', feedToken(other)));

    // Its digest ranks its own paper first, then one it shares with the first subscription.
    expect(feed.items.map((item) => item.id)).toEqual([...(await itemIdsOf([othersPaper])), order[0]]);
  });

  it('should keep personal feeds out of shared caches (Cache-Control private)', async () => {
    for (const format of FORMATS) {
      const response = await get(feedPath(format, feedToken(mine)));

      expect(response.status).toBe(200);
      expect(response.headers['cache-control']).toMatch(/\bprivate\b/);
      expect(response.headers['cache-control']).not.toMatch(/\bpublic\b/);
    }
  });

  it('should answer 404 for a wrong-purpose, tampered, foreign-secret, missing or unknown-subscription token', async () => {
    const now = ctx.api.now();
    const genuine = feedToken(mine);
    const [subject, iat, signature] = genuine.split('.');
    const flipped = `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
    const bad: Record<string, string | undefined> = {
      'an unsubscribe token': signToken(SECRET, 'unsubscribe', mine, now),
      'a confirm token': signToken(SECRET, 'confirm', mine, now),
      'a digest token': signToken(SECRET, 'digest', mine, now),
      'a tampered signature': `${subject}.${iat}.${flipped}`,
      "another subscription's id under this signature": `${other}.${iat}.${signature}`,
      'a token signed with another secret': signToken('another-secret-another-secret', 'feed', mine, now),
      'a feed token of a subscription that does not exist': signToken(SECRET, 'feed', randomUUID(), now),
      garbage: 'not-a-token',
      'an empty token': '',
      'a missing token': undefined,
    };

    for (const format of FORMATS) {
      for (const [label, token] of Object.entries(bad)) {
        const path = token === undefined ? `/feeds/subscription.${format}` : feedPath(format, token);
        const response = await get(path);

        expect({ format, label, status: response.status }).toEqual({ format, label, status: 404 });
        expect(response.text).not.toContain('Old digest');
      }
    }
  });

  it('should serve the feed links answered by POST /api/subscriptions for a Slack-only and a feed-only subscription', async () => {
    const slack = await subscribe({
      slackWebhookUrl: 'https://hooks.slack.com/services/T0F/B0F/feedlinks',
      topics: ['llm'],
    });
    const feedOnly = await subscribe({ topics: ['llm'] });

    for (const response of [slack, feedOnly]) {
      expect(response.status).toBe(202);
      const answer = response.body as ActiveAnswer;
      expect(answer.status).toBe('active');
      expect(Object.keys(answer.feeds).sort()).toEqual(['atom', 'json', 'rss']);
      for (const format of FORMATS) {
        const url = answer.feeds[format];
        expect(url.startsWith(`${BASE}/feeds/subscription.${format}?token=`)).toBe(true);
        const token = new URL(url).searchParams.get('token') ?? '';
        expect(verifyToken(SECRET, 'feed', token, ctx.api.now())).toBe(answer.id);

        const empty = await fetchFeed(format, pathOf(url));
        expect(empty.items).toEqual([]);
      }

      const delivered = await ctx.newPaper({
        arxivId: null,
        title: `Delivered to ${answer.id}`,
        listedAt: '2024-09-05T08:00:00Z',
      });
      await ctx.newDigest(answer.id, '2024-09-05', '2024-09-05T08:00:00Z', [delivered]);
      for (const format of FORMATS) {
        const feed = await fetchFeed(format, pathOf(answer.feeds[format]));
        expect({ format, titles: feed.items.map((item) => item.title) }).toEqual({
          format,
          titles: [`Delivered to ${answer.id}`],
        });
      }
    }
  });
});

