import { Job, JobType, Queue } from 'bullmq';
import { Client } from 'pg';
import Parser from 'rss-parser';
import { Response } from 'supertest';
import { emailChangeConfirmUrl, SecretBox, signToken, TOPIC_SLUGS, TOPICS } from '@libs/domain';
import { ApiApp, startApiApp } from '../../../test/support/api-app';

const SECRET = 'api-int-secret-api-int-secret-0123';
const PUBLIC_URL = 'http://127.0.0.1';
const DAY = 24 * 3600 * 1000;
const PENDING_ANSWER = { status: 'pending', message: 'Check your inbox to confirm the subscription.' };
const ALL_JOB_STATES: JobType[] = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'completed',
  'failed',
  'waiting-children',
];

interface SubscriptionRow {
  id: string;
  email: string | null;
  slackWebhookUrl: string | null;
  status: 'pending' | 'active' | 'unsubscribed';
  topics: string[];
  keywords: string[];
  frequency: string;
  weekday: number;
  timezone: string;
  sendHour: number;
  maxPapers: number;
  activatedAt: Date | null;
  unsubscribedAt: Date | null;
}

interface ErrorBody {
  statusCode: number;
  message: string | string[];
}

/** The api in-process (createApiApp, as main.ts does) against real Postgres and Redis, driven over HTTP. */
describe('api (integration)', () => {
  let api: ApiApp;
  let sql: Client;
  let queues: Record<'fetch' | 'classify' | 'notify', Queue>;

  beforeAll(async () => {
    api = await startApiApp('api', {
      APP_SECRET: SECRET,
      PUBLIC_URL,
      ALLOW_PRIVATE_TARGETS: 'false',
      // These tests subscribe many times from one address; the limit has its own test.
      SUBSCRIBE_RATE_LIMIT: '10000',
    });
    sql = api.sql;
    queues = { fetch: api.queue('fetch'), classify: api.queue('classify'), notify: api.queue('notify') };
  }, 60_000);

  afterAll(() => api?.close());

  const http = () => api.http();
  const subscribe = (body: string | object): Promise<Response> =>
    http().post('/api/subscriptions').set('content-type', 'application/json').send(body);
  const countSubscriptions = async (): Promise<number> =>
    (await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM subscriptions')).rows[0].n;
  const rowById = async (id: string): Promise<SubscriptionRow> => {
    const { rows } = await sql.query<SubscriptionRow>('SELECT * FROM subscriptions WHERE id = $1', [id]);
    expect(rows).toHaveLength(1);
    return rows[0];
  };
  const rowsByEmail = async (email: string): Promise<SubscriptionRow[]> =>
    (await sql.query<SubscriptionRow>('SELECT * FROM subscriptions WHERE email = $1 ORDER BY "createdAt", id', [email]))
      .rows;
  const messagesOf = (response: Response): string[] => [(response.body as ErrorBody).message].flat();
  const allJobs = async (): Promise<Job[]> =>
    (await Promise.all(Object.values(queues).map((queue) => queue.getJobs(ALL_JOB_STATES)))).flat();

  /** A pending email subscription made through the api; its id read back from the database. */
  const pendingSubscription = async (email: string): Promise<string> => {
    const response = await subscribe({ email });
    expect(response.status).toBe(202);
    const rows = await rowsByEmail(email);
    expect(rows).toHaveLength(1);
    return rows[0].id;
  };

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

      const job = await queues.notify.getJob(`confirm-${row.id}`);
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
      const job = await queues.notify.getJob(`confirm-${row.id}`);
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

  describe('GET /subscriptions/confirm', () => {
    const confirm = (token?: string) => {
      const call = http().get('/subscriptions/confirm');
      return token === undefined ? call : call.query({ token });
    };

    it('should activate a pending subscription once, keep the first activation on a second click', async () => {
      const id = await pendingSubscription('confirm-me@example.org');
      const token = signToken(SECRET, 'confirm', id, new Date());
      const started = Date.now();

      const first = await confirm(token);

      expect(first.status).toBe(200);
      expect(first.headers['content-type']).toMatch(/^text\/html/);
      expect(first.text).toContain('Subscription confirmed');
      const activated = await rowById(id);
      expect(activated.status).toBe('active');
      expect(activated.activatedAt?.getTime()).toBeGreaterThanOrEqual(started - 1000);

      const second = await confirm(token);

      expect(second.status).toBe(200);
      expect(second.text).toContain('Subscription confirmed');
      const after = await rowById(id);
      expect(after.status).toBe('active');
      expect(after.activatedAt?.toISOString()).toBe(activated.activatedAt?.toISOString());
    });

    it('should not revive a subscription cancelled before its confirmation link was clicked', async () => {
      const id = await pendingSubscription('changed-mind@example.org');
      await sql.query(`UPDATE subscriptions SET status = 'unsubscribed', "unsubscribedAt" = now() WHERE id = $1`, [id]);

      const response = await confirm(signToken(SECRET, 'confirm', id, new Date()));

      expect(response.status).toBe(200);
      expect(response.text).toContain('This subscription was cancelled');
      expect((await rowById(id)).status).toBe('unsubscribed');
    });

    it('should accept a confirmation link issued six days ago', async () => {
      const id = await pendingSubscription('confirm-late@example.org');

      const response = await confirm(signToken(SECRET, 'confirm', id, new Date(Date.now() - 6 * DAY)));

      expect(response.status).toBe(200);
      expect((await rowById(id)).status).toBe('active');
    });

    it('should answer 404 "not valid" and change nothing for a wrong-purpose, tampered, expired or missing token', async () => {
      const id = await pendingSubscription('confirm-never@example.org');
      const otherId = await pendingSubscription('confirm-other@example.org');
      const now = new Date();
      const genuine = signToken(SECRET, 'confirm', id, now);
      const [subject, iat, signature] = genuine.split('.');
      const flipped = `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
      const bad: Record<string, string | undefined> = {
        'an unsubscribe token': signToken(SECRET, 'unsubscribe', id, now),
        'a tampered signature': `${subject}.${iat}.${flipped}`,
        'another subject under the same signature': `${otherId}.${iat}.${signature}`,
        'a later issue time under the same signature': `${subject}.${(parseInt(iat, 36) + 1).toString(36)}.${signature}`,
        'a token signed with another secret': signToken('another-secret-another-secret', 'confirm', id, now),
        'a token older than 7 days': signToken(SECRET, 'confirm', id, new Date(now.getTime() - 7 * DAY - 60_000)),
        'an empty token': '',
        'a missing token': undefined,
      };

      for (const [label, token] of Object.entries(bad)) {
        const response = await confirm(token);
        expect({ label, status: response.status }).toEqual({ label, status: 404 });
        expect(response.headers['content-type']).toMatch(/^text\/html/);
        expect(response.text).toContain('This link is not valid');
      }
      for (const row of [await rowById(id), await rowById(otherId)]) {
        expect(row.status).toBe('pending');
        expect(row.activatedAt).toBeNull();
      }
    });
  });

  describe('/unsubscribe (RFC 8058 one-click)', () => {
    const ONE_CLICK = 'List-Unsubscribe=One-Click';
    const postUnsubscribe = (token: string | undefined, body: string = ONE_CLICK) => {
      const call = http().post('/unsubscribe');
      return (token === undefined ? call : call.query({ token }))
        .set('content-type', 'application/x-www-form-urlencoded')
        .send(body);
    };

    it('should show a page whose form POSTs to the same URL, without unsubscribing on GET', async () => {
      const id = await pendingSubscription('unsub-page@example.org');
      const token = signToken(SECRET, 'unsubscribe', id, new Date());
      const path = `/unsubscribe?token=${encodeURIComponent(token)}`;

      const response = await http().get(path);

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      const form = /<form\b[^>]*>/i.exec(response.text)?.[0] ?? '';
      expect(form).toMatch(/\bmethod="post"/i);
      // No action: the form posts back to the page's own URL, token included, wherever the api is mounted.
      expect(form).not.toMatch(/\baction=/i);
      expect(path).toContain('token=');
      expect((await rowById(id)).status).toBe('pending');
    });

    it('should unsubscribe on POST with the token in the URL, answer 200 without redirect, and keep the first time', async () => {
      const response = await subscribe({ slackWebhookUrl: 'https://hooks.slack.com/services/T0002/B0002/unsub' });
      const { id, unsubscribeUrl } = response.body as { id: string; unsubscribeUrl: string };
      const path = unsubscribeUrl.slice(PUBLIC_URL.length);
      const token = new URL(unsubscribeUrl).searchParams.get('token') as string;

      // The token in the body only, or a token of another purpose, unsubscribes nobody.
      const bodyOnly = await postUnsubscribe(undefined, `token=${encodeURIComponent(token)}&${ONE_CLICK}`);
      expect(bodyOnly.status).toBe(404);
      expect(bodyOnly.text).toContain('This link is not valid');
      const wrongPurpose = await postUnsubscribe(signToken(SECRET, 'confirm', id, new Date()));
      expect(wrongPurpose.status).toBe(404);
      expect((await rowById(id)).status).toBe('active');

      const started = Date.now();
      const first = await http().post(path).set('content-type', 'application/x-www-form-urlencoded').send(ONE_CLICK);

      expect(first.status).toBe(200);
      expect(first.headers.location).toBeUndefined();
      expect(first.headers['content-type']).toMatch(/^text\/html/);
      expect(first.text).toContain('You are unsubscribed');
      const unsubscribed = await rowById(id);
      expect(unsubscribed.status).toBe('unsubscribed');
      expect(unsubscribed.unsubscribedAt?.getTime()).toBeGreaterThanOrEqual(started - 1000);

      const again = await postUnsubscribe(token);

      expect(again.status).toBe(200);
      expect(again.headers.location).toBeUndefined();
      const after = await rowById(id);
      expect(after.status).toBe('unsubscribed');
      expect(after.unsubscribedAt?.toISOString()).toBe(unsubscribed.unsubscribedAt?.toISOString());
    });

    it('should honour an unsubscribe link from a year-old email (unsubscribe links never expire)', async () => {
      const id = await pendingSubscription('unsub-old@example.org');

      const response = await postUnsubscribe(signToken(SECRET, 'unsubscribe', id, new Date(Date.now() - 365 * DAY)));

      expect(response.status).toBe(200);
      expect((await rowById(id)).status).toBe('unsubscribed');
    });

    it('should answer 404 on GET and POST for a confirm-purpose, tampered or missing token', async () => {
      const id = await pendingSubscription('unsub-invalid@example.org');
      const genuine = signToken(SECRET, 'unsubscribe', id, new Date());
      const bad = [
        signToken(SECRET, 'confirm', id, new Date()),
        `${genuine.slice(0, -1)}${genuine.endsWith('A') ? 'B' : 'A'}`,
      ];

      for (const token of bad) {
        const page = await http().get('/unsubscribe').query({ token });
        expect(page.status).toBe(404);
        expect(page.text).toContain('This link is not valid');
        expect(page.text).not.toContain('<form');
        expect((await postUnsubscribe(token)).status).toBe(404);
      }
      expect((await http().get('/unsubscribe')).status).toBe(404);
      expect((await postUnsubscribe(undefined)).status).toBe(404);
      const row = await rowById(id);
      expect(row.status).toBe('pending');
      expect(row.unsubscribedAt).toBeNull();
    });
  });

  describe('/api/subscriptions/:id (manage link)', () => {
    const slackOnly = async (): Promise<{ id: string; manageUrl: string }> => {
      const response = await subscribe({
        slackWebhookUrl: 'https://hooks.slack.com/services/T9/B9/manage-secret',
        topics: ['llm'],
        keywords: ['agents'],
        sendHour: 6,
      });
      expect(response.status).toBe(202);
      return response.body as { id: string; manageUrl: string };
    };
    /** The manage API path behind a manage link (the link itself opens the web page). */
    const pathOf = (url: string): string => {
      const link = new URL(url);
      return `/api/subscriptions/${link.searchParams.get('id')}?token=${encodeURIComponent(link.searchParams.get('token') as string)}`;
    };

    it('should show the subscription to its manage link, without the webhook secret', async () => {
      const { id, manageUrl } = await slackOnly();
      expect(manageUrl.startsWith(`${PUBLIC_URL}/manage?id=${id}&token=`)).toBe(true);

      const response = await http().get(pathOf(manageUrl));

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        id,
        status: 'active',
        email: null,
        slack: { host: 'hooks.slack.com', disabledReason: null },
        topics: ['llm'],
        keywords: ['agents'],
        frequency: 'daily',
        sendHour: 6,
        maxPapers: 20,
      });
      expect(JSON.stringify(response.body)).not.toContain('manage-secret');
    });

    it('should change only the fields sent, and refuse bad values naming them', async () => {
      const { id, manageUrl } = await slackOnly();

      const changed = await http().patch(pathOf(manageUrl)).send({ topics: ['rl', 'rl'], frequency: 'weekly', weekday: 5 });

      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ topics: ['rl'], keywords: ['agents'], frequency: 'weekly', weekday: 5, sendHour: 6 });
      expect(await rowById(id)).toMatchObject({ topics: ['rl'], frequency: 'weekly', weekday: 5, sendHour: 6 });

      const bad = await http().patch(pathOf(manageUrl)).send({ timezone: 'Mars/Base', sendHour: null });
      expect(bad.status).toBe(400);
      expect(messagesOf(bad).some((message) => /timezone/.test(message))).toBe(true);
      expect(messagesOf(bad).some((message) => /sendHour/.test(message))).toBe(true);
      expect((await rowById(id)).sendHour).toBe(6);
    });

    it('should let a subscriber replace a Slack webhook that was disabled (channel archived) and have it enabled again', async () => {
      const { id, manageUrl } = await slackOnly();
      await sql.query(
        `UPDATE subscriptions SET "slackDisabledAt" = now(), "slackDisabledReason" = 'HTTP 404 channel_is_archived' WHERE id = $1`,
        [id],
      );

      const changed = await http().patch(pathOf(manageUrl)).send({ slackWebhookUrl: 'https://hooks.slack.com/services/T9/B9/new-secret' });

      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ slack: { host: 'hooks.slack.com', disabledReason: null } });
      expect(JSON.stringify(changed.body)).not.toContain('new-secret');
      const { rows } = await sql.query<{ slackWebhookUrl: string; slackDisabledAt: Date | null }>(
        `SELECT "slackWebhookUrl", "slackDisabledAt" FROM subscriptions WHERE id = $1`,
        [id],
      );
      // Sealed as at subscribe time: the stored value is not the URL, and opens to it.
      expect(rows[0].slackWebhookUrl).not.toContain('new-secret');
      expect(new SecretBox(SECRET).open(rows[0].slackWebhookUrl)).toBe('https://hooks.slack.com/services/T9/B9/new-secret');
      expect(rows[0].slackDisabledAt).toBeNull();

      // The subscribe rules hold: only Slack's own webhooks (ALLOW_PRIVATE_TARGETS is off).
      const elsewhere = await http().patch(pathOf(manageUrl)).send({ slackWebhookUrl: 'https://hooks.slack.com.evil.example/services/x' });
      expect(elsewhere.status).toBe(400);
      expect(messagesOf(elsewhere).join(' ')).toMatch(/slackWebhookUrl/);

      const removed = await http().patch(pathOf(manageUrl)).send({ slackWebhookUrl: null });
      expect(removed.status).toBe(200);
      expect(removed.body).toMatchObject({ slack: null });
      expect((await rowById(id)).slackWebhookUrl).toBeNull();
    });

    it('should send a new address a confirmation link, keep the confirmed one until it is clicked, then switch with a clean bounce record', async () => {
      const { id, manageUrl } = await slackOnly();
      await sql.query(`UPDATE subscriptions SET email = 'old@example.org', "hardBounces" = 2, "emailSuppressedAt" = now() WHERE id = $1`, [id]);

      const changed = await http().patch(pathOf(manageUrl)).send({ email: ' New@Example.org ' });

      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ email: 'old@example.org', pendingEmail: 'new@example.org', emailSuppressed: true });
      const confirmations = async (): Promise<Job[]> =>
        (await allJobs()).filter((job) => job.name === 'ConfirmationSend' && (job.data as { subscriptionId: string }).subscriptionId === id);
      const jobs = await confirmations();
      expect(jobs).toHaveLength(1);
      expect(Object.keys(jobs[0].data as object).sort()).toEqual(['emailRequestedAt', 'subscriptionId']);
      expect(jobs[0].data).toMatchObject({ subscriptionId: id });

      // A link for another address (an earlier change, say) confirms nothing.
      const wrong = new URL(emailChangeConfirmUrl(PUBLIC_URL, SECRET, id, 'other@example.org', new Date()));
      expect((await http().get(`${wrong.pathname}${wrong.search}`)).status).toBe(404);
      expect(await rowById(id)).toMatchObject({ email: 'old@example.org' });

      const link = new URL(emailChangeConfirmUrl(PUBLIC_URL, SECRET, id, 'new@example.org', new Date()));
      const confirmed = await http().get(`${link.pathname}${link.search}`);
      expect(confirmed.status).toBe(200);
      expect(confirmed.text).toContain('Address confirmed');
      const { rows } = await sql.query(
        `SELECT email, "pendingEmail", "hardBounces", "emailSuppressedAt", status FROM subscriptions WHERE id = $1`,
        [id],
      );
      expect(rows[0]).toEqual({ email: 'new@example.org', pendingEmail: null, hardBounces: 0, emailSuppressedAt: null, status: 'active' });
      // A second click shows the same page.
      expect((await http().get(`${link.pathname}${link.search}`)).status).toBe(200);

      // The current address again cancels nothing and sends nothing; null stops email.
      expect((await http().patch(pathOf(manageUrl)).send({ email: 'new@example.org' })).body).toMatchObject({ pendingEmail: null });
      expect(await confirmations()).toHaveLength(1);
      const removed = await http().patch(pathOf(manageUrl)).send({ email: null });
      expect(removed.body).toMatchObject({ email: null, pendingEmail: null });

      const bad = await http().patch(pathOf(manageUrl)).send({ email: 'not an address' });
      expect(bad.status).toBe(400);
      expect(messagesOf(bad)).toContain('email must be an email address');
    });

    it('should answer 404 for a link of another purpose, another subscription or a cancelled one', async () => {
      const { id, manageUrl } = await slackOnly();
      const other = await slackOnly();
      const token = new URL(manageUrl).searchParams.get('token') as string;

      expect((await http().get(`/api/subscriptions/${other.id}`).query({ token })).status).toBe(404);
      expect((await http().get(`/api/subscriptions/${id}`).query({ token: signToken(SECRET, 'unsubscribe', id, new Date()) })).status).toBe(404);
      expect((await http().get(`/api/subscriptions/${id}`)).status).toBe(404);
      expect((await http().get('/api/subscriptions/not-a-uuid').query({ token })).status).toBe(400);
      await sql.query(`UPDATE subscriptions SET status = 'unsubscribed' WHERE id = $1`, [id]);
      expect((await http().patch(pathOf(manageUrl)).send({ topics: ['rl'] })).status).toBe(404);
    });

    it('should unsubscribe at once on DELETE through the manage link, idempotently, and refuse other tokens', async () => {
      const { id, manageUrl } = await slackOnly();
      const unsubscribeToken = signToken(SECRET, 'unsubscribe', id, new Date());

      expect((await http().delete(`/api/subscriptions/${id}`).query({ token: unsubscribeToken })).status).toBe(404);
      expect((await http().delete(`/api/subscriptions/${id}`)).status).toBe(404);
      expect((await rowById(id)).status).toBe('active');

      const deleted = await http().delete(pathOf(manageUrl));
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      const row = await rowById(id);
      expect(row).toMatchObject({ status: 'unsubscribed' });
      expect((await http().delete(pathOf(manageUrl))).status).toBe(204);
      expect((await http().get(pathOf(manageUrl))).body).toMatchObject({ id, status: 'unsubscribed' });
    });
  });

  describe('GET /api/topics', () => {
    it('should list the 21 topics with slug, name and scope in taxonomy order, llm first', async () => {
      const response = await http().get('/api/topics');

      expect(response.status).toBe(200);
      const topics = response.body as { slug: string; name: string; scope: string }[];
      expect(topics).toHaveLength(21);
      expect(topics[0].slug).toBe('llm');
      expect(topics.map((topic) => topic.slug)).toEqual([...TOPIC_SLUGS]);
      for (const topic of topics) {
        expect(Object.keys(topic).sort()).toEqual(['name', 'scope', 'slug']);
        expect(topic.name.length).toBeGreaterThan(0);
        expect(topic.scope.length).toBeGreaterThan(0);
      }
      expect(topics).toEqual(TOPICS);
    });
  });

  describe('GET /feeds/papers.rss', () => {
    it('should list the ready papers newest first with title, link and categories, escaping awkward titles', async () => {
      // Two "]]>" (the feed package's CDATA writer escapes only the first) and a control character XML forbids.
      const tricky = 'Scaling <Transformers> & Friends: when "]]>" ends CDATA, twice ]]>\u000B';
      const trickyAsRead = 'Scaling <Transformers> & Friends: when "]] >" ends CDATA, twice ]] >';
      const insert = async (paper: {
        arxivId: string | null;
        title: string;
        url: string | null;
        listedAt: string;
        ready: boolean;
      }): Promise<string> => {
        const { rows } = await sql.query<{ id: string }>(
          `INSERT INTO papers ("arxivId", title, abstract, authors, url, "listedAt", "readyAt")
           VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::boolean THEN now() ELSE NULL END) RETURNING id`,
          [
            paper.arxivId,
            paper.title,
            `Abstract of ${paper.title}`,
            ['Ada Lovelace'],
            paper.url,
            paper.listedAt,
            paper.ready,
          ],
        );
        return rows[0].id;
      };
      const newest = await insert({
        arxivId: '2410.00003',
        title: tricky,
        url: 'https://arxiv.org/abs/2410.00003',
        listedAt: '2024-10-03T08:00:00Z',
        ready: true,
      });
      await insert({
        arxivId: '2410.00002',
        title: 'Middle paper',
        url: null,
        listedAt: '2024-10-02T08:00:00Z',
        ready: true,
      });
      await insert({
        arxivId: null,
        title: 'Oldest paper',
        url: 'https://example.org/papers/oldest',
        listedAt: '2024-10-01T08:00:00Z',
        ready: true,
      });
      await insert({
        arxivId: '2410.00009',
        title: 'Not classified yet',
        url: null,
        listedAt: '2024-10-09T08:00:00Z',
        ready: false,
      });
      await sql.query(
        `INSERT INTO paper_topics ("paperId", topic, score, evidence) VALUES ($1, 'llm', 0.9, '{}'), ($1, 'agents', 0.4, '{}')`,
        [newest],
      );

      const response = await http().get('/feeds/papers.rss');

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/rss\+xml/);
      const feed = await new Parser().parseString(response.text);
      expect(response.text).not.toContain('\u000B');
      expect(feed.items.map((item) => item.title)).toEqual([trickyAsRead, 'Middle paper', 'Oldest paper']);
      expect(feed.items.map((item) => item.link)).toEqual([
        'https://arxiv.org/abs/2410.00003',
        'https://arxiv.org/abs/2410.00002',
        'https://example.org/papers/oldest',
      ]);
      expect(feed.items[0].categories).toEqual(['llm', 'agents']);
      expect(feed.items[1].categories ?? []).toEqual([]);
      expect(feed.items[0].guid).toBe('arxiv:2410.00003');
      expect(feed.items.some((item) => item.title === 'Not classified yet')).toBe(false);
    });
  });

  describe('GET /health', () => {
    it('should answer 200 with the database and Redis up', async () => {
      const response = await http().get('/health');

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        status: 'ok',
        info: { database: { status: 'up' }, redis: { status: 'up' } },
      });
    });
  });
});
