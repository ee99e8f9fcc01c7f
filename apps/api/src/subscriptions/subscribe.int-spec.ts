import { SecretBox } from '@libs/domain';
import { PENDING_ANSWER, PUBLIC_URL, SECRET, useApi } from '../../../../test/support/api-context';

/** Subscribing by email or Slack: what is stored and queued, and what is refused. */
const ctx = useApi('subscribe');
const { subscribe, countSubscriptions, rowById, rowsByEmail, messagesOf, allJobs } = ctx;

describe('POST /api/subscriptions (email)', () => {
  it('should store a pending subscription with the given fields and queue a ConfirmationSend job carrying only its id', async () => {
    const before = await countSubscriptions();
    const response = await subscribe({
      email: '  Alice.Smith@Example.ORG ',
      topics: ['llm', 'agents', 'llm'],
      keywords: [' quantization ', 'rlhf'],
      frequency: 'weekly',
      weekday: 5,
      timezone: 'Europe/Paris',
      sendHour: 7,
      maxPapers: 15,
    });

    expect(response.status).toBe(202);
    expect(response.body).toEqual(PENDING_ANSWER);
    expect(await countSubscriptions()).toBe(before + 1);
    const [row] = await rowsByEmail('alice.smith@example.org');
    expect(row).toMatchObject({
      email: 'alice.smith@example.org',
      slackWebhookUrl: null,
      status: 'pending',
      topics: ['llm', 'agents'],
      keywords: ['quantization', 'rlhf'],
      frequency: 'weekly',
      weekday: 5,
      timezone: 'Europe/Paris',
      sendHour: 7,
      maxPapers: 15,
      activatedAt: null,
      unsubscribedAt: null,
    });

    const job = await ctx.queues.notify.getJob(`confirm-${row.id}`);
    expect(job).toBeDefined();
    expect(job?.name).toBe('ConfirmationSend');
    expect(job?.data).toEqual({ subscriptionId: row.id });
    expect(await job?.getState()).toBe('waiting');
    const confirmations = (await allJobs()).filter((j) => j.name === 'ConfirmationSend');
    expect(confirmations.filter((j) => JSON.stringify(j.data).includes('alice'))).toEqual([]);
  });

  it('should apply the defaults (daily, weekday 1, UTC, 8h, 20 papers, no topics or keywords) when fields are omitted', async () => {
    const response = await subscribe({ email: 'bob@example.org' });

    expect(response.status).toBe(202);
    expect(response.body).toEqual(PENDING_ANSWER);
    const [row] = await rowsByEmail('bob@example.org');
    expect(row).toMatchObject({
      status: 'pending',
      topics: [],
      keywords: [],
      frequency: 'daily',
      weekday: 1,
      timezone: 'UTC',
      sendHour: 8,
      maxPapers: 20,
      activatedAt: null,
    });
    const job = await ctx.queues.notify.getJob(`confirm-${row.id}`);
    expect(job?.data).toEqual({ subscriptionId: row.id });
  });

  it('should give the same answer for an address that already subscribed (no enumeration)', async () => {
    const first = await subscribe({ email: 'carol@example.org', topics: ['vision'] });
    const again = await subscribe({ email: 'Carol@Example.org', topics: ['vision'] });

    expect(first.status).toBe(202);
    expect(again.status).toBe(first.status);
    expect(again.body).toEqual(first.body);
    expect(again.body).toEqual(PENDING_ANSWER);
  });
});


describe('POST /api/subscriptions (validation)', () => {
  const cases: { label: string; body: object; field: RegExp }[] = [
    {
      label: 'an unknown topic slug',
      body: { email: 'v1@example.org', topics: ['llm', 'astrology'] },
      field: /topic/,
    },
    { label: 'timezone "Mars/Base"', body: { email: 'v2@example.org', timezone: 'Mars/Base' }, field: /timezone/ },
    { label: 'sendHour 24', body: { email: 'v3@example.org', sendHour: 24 }, field: /sendHour/ },
    { label: 'sendHour "8" (a string)', body: { email: 'v4@example.org', sendHour: '8' }, field: /sendHour/ },
    { label: 'maxPapers 0', body: { email: 'v5@example.org', maxPapers: 0 }, field: /maxPapers/ },
    { label: 'frequency "hourly"', body: { email: 'v6@example.org', frequency: 'hourly' }, field: /frequency/ },
    { label: 'weekday 8', body: { email: 'v7@example.org', weekday: 8 }, field: /weekday/ },
    { label: 'email "not-an-email"', body: { email: 'not-an-email' }, field: /email/ },
    { label: 'a keyword of 1 character', body: { email: 'v8@example.org', keywords: ['ok', 'x'] }, field: /keyword/ },
    {
      label: 'more than 20 keywords',
      body: { email: 'v9@example.org', keywords: Array.from({ length: 21 }, (_, i) => `keyword-${i}`) },
      field: /keywords/,
    },
    { label: 'an unknown extra field', body: { email: 'v10@example.org', admin: true }, field: /admin/ },
    { label: 'an unknown excluded topic', body: { email: 'v15@example.org', excludeTopics: ['astrology'] }, field: /excluded topic/ },
    { label: 'minUpvotes -1', body: { email: 'v16@example.org', minUpvotes: -1 }, field: /minUpvotes/ },
    { label: 'keywords null', body: { email: 'v11@example.org', keywords: null }, field: /keywords/ },
    { label: 'sendHour null', body: { email: 'v12@example.org', sendHour: null }, field: /sendHour/ },
    { label: 'timezone null', body: { email: 'v13@example.org', timezone: null }, field: /timezone/ },
    { label: 'blank keywords', body: { email: 'v14@example.org', keywords: ['   ', 'x '] }, field: /keyword/ },
    {
      label: 'a slackWebhookUrl that is not a URL',
      body: { slackWebhookUrl: 'javascript:alert(1)' },
      field: /slackWebhookUrl/,
    },
  ];

  it.each(cases)('should answer 400 naming the field and store nothing for $label', async ({ body, field }) => {
    const before = await countSubscriptions();
    const jobsBefore = (await allJobs()).length;

    const response = await subscribe(body);

    expect(response.status).toBe(400);
    expect(messagesOf(response).some((message) => field.test(message))).toBe(true);
    expect(await countSubscriptions()).toBe(before);
    expect((await allJobs()).length).toBe(jobsBefore);
  });

  it('should answer 400 and store nothing for a malformed JSON body', async () => {
    const before = await countSubscriptions();

    const response = await subscribe('{"email": "malformed@example.org", ');

    expect(response.status).toBe(400);
    expect(await countSubscriptions()).toBe(before);
    expect(await rowsByEmail('malformed@example.org')).toEqual([]);
  });

  it('should answer 400 and store nothing for a JSON array body', async () => {
    const before = await countSubscriptions();

    const response = await subscribe([{ email: 'array@example.org' }]);
    const empty = await subscribe([]);

    expect(response.status).toBe(400);
    expect(empty.status).toBe(400);
    expect(await countSubscriptions()).toBe(before);
    expect(await rowsByEmail('array@example.org')).toEqual([]);
  });
});


describe('POST /api/subscriptions (Slack)', () => {
  it.each([
    'http://127.0.0.1:9/services/x',
    'https://evil.example/services/x',
    'https://hooks.slack.com.evil.example/services/x',
    'http://hooks.slack.com/services/T/B/X',
    'https://hooks.slack.com:8443/services/T/B/X',
    'https://user@hooks.slack.com/services/T/B/X',
    'https://hooks.slack.com/api/T/B/X',
  ])('should refuse the webhook %s with 400 when private targets are not allowed', async (url) => {
    const before = await countSubscriptions();

    const response = await subscribe({ slackWebhookUrl: url });

    expect(response.status).toBe(400);
    expect(messagesOf(response).some((message) => message.includes('slackWebhookUrl'))).toBe(true);
    expect(await countSubscriptions()).toBe(before);
  });

  it('should activate a proper Slack webhook at once, answer its unsubscribe link and put the URL in no job', async () => {
    const webhook = 'https://hooks.slack.com/services/T0001/B0001/s3cr3tT0k3n';
    const jobsBefore = (await allJobs()).length;
    const started = Date.now();

    const response = await subscribe({ slackWebhookUrl: webhook, topics: ['agents'], maxPapers: 10 });

    expect(response.status).toBe(202);
    const body = response.body as { status: string; id: string; unsubscribeUrl: string; feeds: Record<string, string> };
    expect(Object.keys(body).sort()).toEqual(['feeds', 'id', 'manageUrl', 'status', 'unsubscribeUrl']);
    expect(body.feeds.rss.startsWith(`${PUBLIC_URL}/feeds/subscription.rss?token=`)).toBe(true);
    expect(body.status).toBe('active');
    expect(body.unsubscribeUrl.startsWith(`${PUBLIC_URL}/unsubscribe?token=`)).toBe(true);
    const row = await rowById(body.id);
    // Stored encrypted: a database dump does not leak the credential.
    expect(row.slackWebhookUrl).not.toContain('s3cr3tT0k3n');
    expect(new SecretBox(SECRET).open(row.slackWebhookUrl as string)).toBe(webhook);
    expect(row).toMatchObject({
      email: null,
      status: 'active',
      topics: ['agents'],
      maxPapers: 10,
      unsubscribedAt: null,
    });
    expect(row.activatedAt).toBeInstanceOf(Date);
    expect(row.activatedAt?.getTime()).toBeGreaterThanOrEqual(started - 1000);
    expect(row.activatedAt?.getTime()).toBeLessThanOrEqual(Date.now() + 1000);

    const jobs = await allJobs();
    expect(jobs.length).toBe(jobsBefore);
    for (const job of jobs) {
      expect(JSON.stringify(job.data)).not.toContain('hooks.slack.com');
      expect(JSON.stringify(job.data)).not.toContain('s3cr3tT0k3n');
    }
  });
});
