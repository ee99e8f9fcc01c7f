import { ActiveAnswer, SubscriptionRow, useFeedsApi } from '../../../../test/support/feeds-context';

/** Subscribing paused, with excluded topics, a minimum of upvotes, or feed-only. */
describe('POST /api/subscriptions: paused, excluded topics, minimum upvotes, feed-only', () => {
  const ctx = useFeedsApi('feeds-filters');
  const { subscribe, rowById } = ctx;

  it('should store frequency "paused", the excluded topics (once each) and minUpvotes of an email subscription', async () => {
    const response = await subscribe({
      email: 'paused@example.org',
      topics: ['llm', 'agents'],
      excludeTopics: ['robotics', 'safety', 'robotics'],
      minUpvotes: 25,
      frequency: 'paused',
    });

    expect(response.status).toBe(202);
    const { rows } = await ctx.sql.query<SubscriptionRow>(
      `SELECT * FROM subscriptions WHERE email = 'paused@example.org'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      status: 'pending',
      frequency: 'paused',
      topics: ['llm', 'agents'],
      excludeTopics: ['robotics', 'safety'],
      minUpvotes: 25,
      activatedAt: null,
    });
  });

  it('should store a feed-only subscription (neither email nor Slack) active at once, with activatedAt and null channels', async () => {
    const started = Date.now();

    const response = await subscribe({
      topics: ['llm'],
      excludeTopics: ['vision'],
      minUpvotes: 3,
      frequency: 'paused',
    });

    expect(response.status).toBe(202);
    const answer = response.body as ActiveAnswer;
    expect(Object.keys(answer).sort()).toEqual(['feeds', 'id', 'manageUrl', 'status', 'unsubscribeUrl']);
    expect(answer.status).toBe('active');
    const row = await rowById(answer.id);
    expect(row).toMatchObject({
      email: null,
      slackWebhookUrl: null,
      status: 'active',
      topics: ['llm'],
      excludeTopics: ['vision'],
      minUpvotes: 3,
      frequency: 'paused',
      unsubscribedAt: null,
    });
    expect(row.activatedAt).toBeInstanceOf(Date);
    expect(row.activatedAt?.getTime()).toBeGreaterThanOrEqual(started - 1000);
    expect(row.activatedAt?.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('should default excludeTopics to none and minUpvotes to 0 when they are left out', async () => {
    const response = await subscribe({ topics: ['code'] });

    expect(response.status).toBe(202);
    const row = await rowById((response.body as ActiveAnswer).id);
    expect(row).toMatchObject({ excludeTopics: [], minUpvotes: 0, frequency: 'daily' });
  });
});

