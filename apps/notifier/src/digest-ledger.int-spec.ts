import { LEFT_OUT_LISTED, verifyToken } from '@libs/domain';
import { DigestRepository, PaperRepository } from '@libs/database';
import { DAY, HOUR, now, useNotifier } from '../../../test/support/notifier-context';
import { DigestBuilderService } from './digest-builder.service';
import { DigestPlannerService } from './digest-planner.service';

/** The ledger of what a subscription was sent: each paper once, left-out papers, concurrent builds. */
describe('Notifier ledger', () => {
  const ctx = useNotifier('digest-ledger');

  it('should never deliver a paper twice to a subscription, and bring late papers in the next digest', async () => {
    await ctx.newPaper('Day one paper', { topics: ['agents'] });
    await ctx.newSubscription({ topics: ['agents'] });
    const [first] = await ctx.runDigests(now);
    expect(await ctx.digestPapers(first)).toEqual(['Day one paper']);

    // Next day: the first paper is still inside the 2-day lookback, and a late one arrived after the build.
    const nextDay = new Date(now.getTime() + DAY);
    await ctx.newPaper('Late paper', { topics: ['agents'], listedAt: new Date(now.getTime() + HOUR) });
    const [second] = await ctx.runDigests(nextDay);
    expect(await ctx.digestPapers(second)).toEqual(['Late paper']);

    // A day with nothing new: the digest is empty and nothing is sent.
    const [third] = await ctx.runDigests(new Date(now.getTime() + 2 * DAY));
    const { rows } = await ctx.sql.query(`SELECT status FROM digests WHERE id = $1`, [third]);
    expect(rows[0].status).toBe('empty');
    expect(ctx.received).toHaveLength(2);
    // The constraint, not only the query, forbids a repeat.
    await expect(
      ctx.sql.query(
        `INSERT INTO digest_papers ("digestId", "paperId", "subscriptionId", rank)
                 SELECT $1, "paperId", "subscriptionId", 9 FROM digest_papers WHERE "digestId" = $2`,
        [third, first],
      ),
    ).rejects.toThrow(/digest_papers_once_per_subscription/);
  });

  it('should list the papers a capped digest left out on the web view its "And N more" links to, and not count them as delivered', async () => {
    await ctx.newPaper('Paper one', { upvotes: 5, topics: ['llm'] });
    await ctx.newPaper('Paper two', { upvotes: 4, topics: ['llm'] });
    await ctx.newPaper('Paper three', { upvotes: 3, topics: ['llm'] });
    const subscription = await ctx.newSubscription({ topics: ['llm'], maxPapers: 1 });
    const [digestId] = await ctx.runDigests(now);
    expect(ctx.received[0].mail.text).toContain('And 2 more matching papers, left out by your cap.');
    const allOfThem = /All of them: (\S+)/.exec(ctx.received[0].mail.text ?? '')?.[1] as string;
    const token = new URL(allOfThem).searchParams.get('token') as string;
    // The link opens this digest's web view (the api renders it; its own specs cover the page), and the
    // ledger the view is read from holds the paper shown, the count and the papers left out, in rank order.
    expect(verifyToken(process.env.APP_SECRET as string, 'digest', token, now, Infinity, subscription.linkVersion)).toBe(
      digestId,
    );
    const digest = await ctx.app.get(DigestRepository).findById(digestId);
    expect(await ctx.digestPapers(digestId)).toEqual(['Paper one']);
    expect(digest?.omittedCount).toBe(2);
    const leftOut = await ctx.app.get(PaperRepository).findWithTopics(digest?.leftOutPaperIds ?? []);
    expect(leftOut.map((paper) => paper.title)).toEqual(['Paper two', 'Paper three']);

    // Told about only as a number, they were not delivered: the ledger and the feed hold the paper shown only,
    // and the next digest (the two are still within its lookback) picks among them again.
    expect(await ctx.digestPapers(digestId)).toEqual(['Paper one']);
    const feed = await ctx.app.get(PaperRepository).deliveredTo(subscription.id, 50);
    expect(feed.map((paper) => paper.title)).toEqual(['Paper one']);
    const [next] = await ctx.runDigests(new Date(now.getTime() + DAY));
    expect(await ctx.digestPapers(next)).toEqual(['Paper two']);
    const { rows } = await ctx.sql.query<{ title: string }>(
      `SELECT p.title FROM digests d JOIN papers p ON p.id = ANY(d."leftOutPaperIds") WHERE d.id = $1`,
      [next],
    );
    expect(rows).toEqual([{ title: 'Paper three' }]);
    const feedAfter = await ctx.app.get(PaperRepository).deliveredTo(subscription.id, 50);
    expect(feedAfter.map((paper) => paper.title)).toEqual(['Paper two', 'Paper one']);
  });

  it(`should record at most ${LEFT_OUT_LISTED} of the papers a digest leaves out, and say so in the link`, async () => {
    await ctx.sql.query(
      `INSERT INTO papers ("arxivId", title, abstract, authors, upvotes, "listedAt", "readyAt")
       SELECT '2611.' || (20000 + i), 'Bulk paper ' || i, 'An abstract.', '{"A. Author"}', 1000 - i, $1, $2
       FROM generate_series(1, $3) AS i`,
      [new Date(now.getTime() - 6 * HOUR), now, LEFT_OUT_LISTED + 3],
    );
    await ctx.newSubscription({ maxPapers: 2 });
    const [digestId] = await ctx.runDigests(now);
    const { rows } = await ctx.sql.query(
      `SELECT d."omittedCount", cardinality(d."leftOutPaperIds") AS "listed", p.title AS "first"
       FROM digests d JOIN papers p ON p.id = d."leftOutPaperIds"[1] WHERE d.id = $1`,
      [digestId],
    );
    // Bulk papers 1 and 2 are shown; the list starts with the third.
    expect(rows[0]).toEqual({ omittedCount: LEFT_OUT_LISTED + 1, listed: LEFT_OUT_LISTED, first: 'Bulk paper 3' });
    expect(ctx.received[0].mail.text).toContain(
      `The first ${LEFT_OUT_LISTED} of them: https://papers.example.org/digests/`,
    );
  });

  it('should build a digest once when two workers build it at the same time', async () => {
    await ctx.newPaper('Paper A', { topics: ['code'] });
    await ctx.newPaper('Paper B', { topics: ['code'] });
    await ctx.newSubscription({ topics: ['code'], slackWebhookUrl: ctx.slackUrl });
    const { digestIds } = await ctx.app.get(DigestPlannerService).planDue(now);
    const builder = ctx.app.get(DigestBuilderService);
    await Promise.all([builder.build(digestIds[0]), builder.build(digestIds[0]), builder.build(digestIds[0])]);
    const papers = await ctx.sql.query(`SELECT count(*)::int AS n FROM digest_papers WHERE "digestId" = $1`, [
      digestIds[0],
    ]);
    const deliveries = await ctx.sql.query(`SELECT channel FROM deliveries WHERE "digestId" = $1 ORDER BY channel`, [
      digestIds[0],
    ]);
    expect(papers.rows[0].n).toBe(2);
    expect(deliveries.rows).toEqual([{ channel: 'email' }, { channel: 'slack' }]);
  });

  it('should record a paper in one of two digests of a subscription built at once, neither failing', async () => {
    const reader = await ctx.newSubscription({ topics: ['llm'] });
    await ctx.sql.query(`UPDATE subscriptions SET "updatedAt" = '2026-11-01T00:00:00Z' WHERE id = $1`, [reader.id]);
    await ctx.newPaper('In both windows', { topics: ['llm'], listedAt: new Date('2026-11-27T06:00:00Z') });
    const planner = ctx.app.get(DigestPlannerService);
    const [missed] = (await planner.planDue(new Date('2026-11-28T05:00:00Z'))).digestIds;
    const [today] = (await planner.planDue(new Date('2026-11-28T09:00:00Z'))).digestIds;
    const builder = ctx.app.get(DigestBuilderService);
    const results = await Promise.allSettled([missed, today, missed, today].map((id) => builder.build(id)));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    const holders = await ctx.sql.query(`SELECT "digestId" FROM digest_papers WHERE "subscriptionId" = $1`, [reader.id]);
    expect(holders.rows).toHaveLength(1);
  });
});
