import { Job, JobType, Queue } from 'bullmq';
import Redis from 'ioredis';
import { createHash } from 'node:crypto';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { Response } from 'supertest';
import { emailChangeApproveUrl, emailChangeConfirmUrl, MAX_LINK_VERSION, signToken, unsubscribeUrl } from '@libs/domain';
import { ApiApp, startApiApp } from '../../../../test/support/api-app';

const SECRET = 'accounts-int-secret-accounts-int-0123';
const PUBLIC_URL = 'http://127.0.0.1';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const STATES: JobType[] = ['waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed'];

interface ActiveAnswer {
  id: string;
  manageUrl: string;
  unsubscribeUrl: string;
  feeds: { rss: string; atom: string; json: string };
}

/**
 * Subscriber accounts against abuse (issue 15 §4): one spelling per address, limits a client cannot dodge by
 * PATCH or by IPv6, answers that say nothing of an address, Slack webhooks that stay Slack's, and links that
 * can be revoked. The api in-process on real Postgres and Redis; clients told apart by X-Forwarded-For.
 */
describe('subscriber accounts (integration)', () => {
  let api: ApiApp;
  let notify: Queue;
  let redis: Redis;
  let client = 0;

  beforeAll(async () => {
    api = await startApiApp('accounts', {
      APP_SECRET: SECRET,
      PUBLIC_URL,
      TRUST_PROXY: 'true',
      SUBSCRIBE_RATE_LIMIT: '3',
      // Private RSS sources are allowed: that must not open the Slack webhook rule.
      ALLOW_PRIVATE_TARGETS: 'true',
    });
    notify = api.queue('notify');
    redis = new Redis(REDIS_URL);
  }, 60_000);

  afterAll(async () => {
    redis?.disconnect();
    await api?.close();
  });

  /** A client address of its own for each call that does not care about the client limit. */
  const fresh = (): string => `192.0.2.${(client += 1) % 250}`;
  const subscribe = (body: object, from = fresh()): Promise<Response> =>
    api.http().post('/api/subscriptions').set('x-forwarded-for', from).send(body);
  const patch = (path: string, body: object, from = fresh()): Promise<Response> =>
    api.http().patch(path).set('x-forwarded-for', from).send(body);
  const messages = (response: Response): string[] => [(response.body as { message: string | string[] }).message].flat();
  const rowsByEmail = async (email: string) =>
    (
      await api.sql.query<{ id: string; email: string; status: string; topics: string[] }>(
        `SELECT id, email, status, topics FROM subscriptions WHERE email = $1 ORDER BY "createdAt"`,
        [email],
      )
    ).rows;
  const confirmationJobs = async (subscriptionId?: string): Promise<Job[]> =>
    (await notify.getJobs(STATES)).filter(
      (job) =>
        job.name === 'ConfirmationSend' &&
        (subscriptionId === undefined || (job.data as { subscriptionId: string }).subscriptionId === subscriptionId),
    );
  const feedOnly = async (): Promise<ActiveAnswer> => {
    const response = await subscribe({ topics: ['llm'] });
    expect(response.status).toBe(202);
    return response.body as ActiveAnswer;
  };
  /** The manage API path behind a manage link (the link itself opens the web page). */
  const apiPathOf = (manageUrl: string): string => {
    const link = new URL(manageUrl);
    return `/api/subscriptions/${link.searchParams.get('id')}?token=${encodeURIComponent(link.searchParams.get('token') as string)}`;
  };
  const pathOf = (url: string): string => {
    const link = new URL(url);
    return `${link.pathname}${link.search}`;
  };

  describe('email addresses (one spelling per mailbox)', () => {
    it('should count, store and queue every spelling of one mailbox as one address', async () => {
      for (const email of ['bomb@example.com', 'Bomb@EXAMPLE.com', 'bomb@example.com.', 'bomb@ｅｘａｍｐｌｅ.com']) {
        const response = await subscribe({ email, topics: ['llm'] });
        expect(response.status).toBe(202);
      }
      const rows = await rowsByEmail('bomb@example.com');
      // One pending subscription: every spelling reached the same one.
      expect(rows).toHaveLength(1);
      expect(await confirmationJobs(rows[0].id)).toHaveLength(1);
    });

    it('should store an IDN domain in its ASCII form', async () => {
      expect((await subscribe({ email: 'reader@BÜcher.example' })).status).toBe(202);
      expect(await rowsByEmail('reader@xn--bcher-kva.example')).toHaveLength(1);
    });

    it.each([
      ['"bomb"@example.com', 'email must be a plain address such as name@example.org, without quotes or backslashes'],
      ['"bo\\mb"@example.com', 'email must be a plain address such as name@example.org, without quotes or backslashes'],
      ['"a\u0007b"@example.com', 'email must not contain control characters or line breaks'],
      ['bomb@example.com\r\nBcc: victim@example.org', 'email must not contain control characters or line breaks'],
    ])('should refuse %j with a 400 naming email, on POST and PATCH, storing nothing', async (email, message) => {
      const before = (await api.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM subscriptions')).rows[0].n;
      const created = await subscribe({ email });
      expect(created.status).toBe(400);
      expect(messages(created)).toEqual([message]);
      expect((await api.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM subscriptions')).rows[0].n).toBe(
        before,
      );

      const { manageUrl } = await feedOnly();
      const changed = await patch(apiPathOf(manageUrl), { email });
      expect(changed.status).toBe(400);
      expect(messages(changed)).toEqual([message]);
    });
  });

  describe('per-client limits', () => {
    it('should count PATCHes asking for a new address together with subscribing, and answer 429 with Retry-After', async () => {
      const subscriptions = await Promise.all([feedOnly(), feedOnly(), feedOnly()]);
      const from = '198.51.100.20';
      expect((await subscribe({ email: 'first@example.org' }, from)).status).toBe(202);
      expect((await patch(apiPathOf(subscriptions[0].manageUrl), { email: 'second@example.org' }, from)).status).toBe(
        200,
      );
      // Preferences alone send no email: not counted.
      expect((await patch(apiPathOf(subscriptions[1].manageUrl), { topics: ['rl'] }, from)).status).toBe(200);
      expect((await patch(apiPathOf(subscriptions[1].manageUrl), { email: 'third@example.org' }, from)).status).toBe(
        200,
      );

      const refused = await patch(apiPathOf(subscriptions[2].manageUrl), { email: 'fourth@example.org' }, from);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(messages(refused)).toEqual(['Too many subscription requests from this address; try again later']);
      const row = await api.sql.query(`SELECT "pendingEmail" FROM subscriptions WHERE id = $1`, [subscriptions[2].id]);
      expect(row.rows[0]).toEqual({ pendingEmail: null });
      expect((await subscribe({ email: 'fifth@example.org' }, from)).status).toBe(429);
      expect((await subscribe({ email: 'fifth@example.org' }, '198.51.100.21')).status).toBe(202);
    });

    it('should count the addresses of one IPv6 /64 as one client, and other /64s apart', async () => {
      for (const address of ['2001:db8:77:1::1', '2001:db8:77:1::2', '2001:db8:77:1:abcd:ef01:2345:6789']) {
        expect((await subscribe({ topics: ['llm'] }, address)).status).toBe(202);
      }
      expect((await subscribe({ topics: ['llm'] }, '2001:db8:77:1:ffff:ffff:ffff:fffe')).status).toBe(429);
      expect((await subscribe({ topics: ['llm'] }, '2001:db8:77:2::1')).status).toBe(202);
    });
  });

  describe('answers that say nothing of an address', () => {
    /** Puts an address at its daily cap of confirmation emails, as the notifier counts it. */
    const exhaust = async (email: string): Promise<void> => {
      const cap = new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${api.prefix}:ratelimit:address`,
        points: 3,
        duration: 86_400,
      });
      await cap.penalty(createHash('sha256').update(email).digest('hex'), 3);
    };

    it('should answer a PATCH to an address at its cap as to a fresh one, and queue the same work', async () => {
      await exhaust('used@example.org');
      const used = await feedOnly();
      const unused = await feedOnly();

      const toUsed = await patch(apiPathOf(used.manageUrl), { email: 'used@example.org' });
      const toFresh = await patch(apiPathOf(unused.manageUrl), { email: 'fresh@example.org' });

      expect(toUsed.status).toBe(200);
      expect(toFresh.status).toBe(200);
      expect(toUsed.body).toMatchObject({ pendingEmail: 'used@example.org' });
      expect(toFresh.body).toMatchObject({ pendingEmail: 'fresh@example.org' });
      expect(Object.keys(toUsed.body as object).sort()).toEqual(Object.keys(toFresh.body as object).sort());
      expect(await confirmationJobs(used.id)).toHaveLength(1);
      expect(await confirmationJobs(unused.id)).toHaveLength(1);
    });

    it('should store the subscription and queue its confirmation for an address at its cap: the cap limits emails, not subscriptions', async () => {
      await exhaust('capped@example.org');

      const capped = await subscribe({ email: 'capped@example.org', topics: ['rl'] });
      const freshAnswer = await subscribe({ email: 'uncapped@example.org', topics: ['rl'] });

      expect(capped.status).toBe(202);
      expect(capped.body).toEqual(freshAnswer.body);
      for (const email of ['capped@example.org', 'uncapped@example.org']) {
        const rows = await rowsByEmail(email);
        expect(rows).toEqual([expect.objectContaining({ status: 'pending', topics: ['rl'] })]);
        expect(await confirmationJobs(rows[0].id)).toHaveLength(1);
      }
    });

    it('should give a pending address the latest choices, whoever asked before, in one subscription', async () => {
      for (const topics of [['rl'], ['vision'], ['llm', 'agents']]) {
        expect((await subscribe({ email: 'owner@example.org', topics })).status).toBe(202);
      }
      expect(await rowsByEmail('owner@example.org')).toEqual([
        expect.objectContaining({ status: 'pending', topics: ['llm', 'agents'] }),
      ]);
    });
  });

  describe('Slack webhooks', () => {
    it.each(['http://127.0.0.1:6379/', 'http://169.254.169.254/latest/meta-data/', 'http://[::7f00:1]:6379/'])(
      'should refuse %s although private targets are allowed (a setting of its own lifts the host rule)',
      async (slackWebhookUrl) => {
        const response = await subscribe({ slackWebhookUrl });
        expect(response.status).toBe(400);
        expect(messages(response)).toEqual([
          'slackWebhookUrl must be a Slack incoming webhook: https://hooks.slack.com/services/…',
        ]);
      },
    );

    it.each(['https://:pw@hooks.slack.com/services/T/B/X', 'https://user:pw@hooks.slack.com/services/T/B/X'])(
      'should refuse the userinfo of %s on POST and PATCH',
      async (slackWebhookUrl) => {
        const created = await subscribe({ slackWebhookUrl });
        expect(created.status).toBe(400);
        expect(messages(created)).toEqual(['slackWebhookUrl must not contain a user name or password']);
        const { manageUrl } = await feedOnly();
        const changed = await patch(apiPathOf(manageUrl), { slackWebhookUrl });
        expect(changed.status).toBe(400);
        expect(messages(changed)).toEqual(['slackWebhookUrl must not contain a user name or password']);
      },
    );
  });

  describe('revocable links', () => {
    it('should revoke every earlier manage, feed and digest link, keep unsubscribe links, and answer the new ones', async () => {
      const subscription = await feedOnly();
      const digest = await api.sql.query<{ id: string }>(
        `INSERT INTO digests ("subscriptionId", "periodKey", "dueAt", "plannedFor", status) VALUES ($1, '2026-12-01', now(), now(), 'sent') RETURNING id`,
        [subscription.id],
      );
      const digestId = digest.rows[0].id;
      const oldView = `/digests/${digestId}?token=${encodeURIComponent(signToken(SECRET, 'digest', digestId, api.now()))}`;
      const apiView = (path: string) => api.http().get(path.replace('/digests/', '/api/digests/'));
      expect((await api.http().get(apiPathOf(subscription.manageUrl))).status).toBe(200);
      expect((await api.http().get(pathOf(subscription.feeds.rss))).status).toBe(200);
      expect((await apiView(oldView)).status).toBe(200);

      const revoked = await api.http().post(`${apiPathOf(subscription.manageUrl).replace('?', '/revoke-links?')}`);

      expect(revoked.status).toBe(200);
      const renewed = revoked.body as { manageUrl: string; manageApiUrl: string; feeds: ActiveAnswer['feeds'] };
      expect(renewed.manageUrl).not.toBe(subscription.manageUrl);
      expect((await api.http().get(apiPathOf(subscription.manageUrl))).status).toBe(404);
      expect((await patch(apiPathOf(subscription.manageUrl), { topics: ['rl'] })).status).toBe(404);
      expect((await api.http().get(pathOf(subscription.feeds.rss))).status).toBe(404);
      expect((await apiView(oldView)).status).toBe(404);
      // A second revoke through the old link does nothing.
      expect(
        (await api.http().post(`${apiPathOf(subscription.manageUrl).replace('?', '/revoke-links?')}`)).status,
      ).toBe(404);

      expect((await api.http().get(pathOf(renewed.manageApiUrl))).body).toMatchObject({ id: subscription.id });
      expect((await api.http().get(apiPathOf(renewed.manageUrl))).status).toBe(200);
      expect((await api.http().get(pathOf(renewed.feeds.atom))).status).toBe(200);
      const newView = `/api/digests/${digestId}?token=${encodeURIComponent(signToken(SECRET, 'digest', digestId, api.now(), 1))}`;
      expect((await api.http().get(newView)).status).toBe(200);

      // RFC 8058: the unsubscribe link of an old email still works.
      const unsubscribed = await api.http().post(pathOf(subscription.unsubscribeUrl));
      expect(unsubscribed.status).toBe(200);
      expect(
        (await api.sql.query(`SELECT status FROM subscriptions WHERE id = $1`, [subscription.id])).rows[0],
      ).toEqual({
        status: 'unsubscribed',
      });
    });

    it('should let an unsubscribe link from before a revocation unsubscribe but not delete the data', async () => {
      const subscription = await feedOnly();
      expect(
        (await api.http().post(`${apiPathOf(subscription.manageUrl).replace('?', '/revoke-links?')}`)).status,
      ).toBe(200);
      const statusOf = async (): Promise<unknown> =>
        (await api.sql.query(`SELECT status FROM subscriptions WHERE id = $1`, [subscription.id])).rows[0];

      const oldPage = await api.http().get(pathOf(subscription.unsubscribeUrl));
      expect(oldPage.status).toBe(200);
      expect(oldPage.text).not.toContain('name="erase"');
      const refused = await api.http().post(pathOf(subscription.unsubscribeUrl)).type('form').send({ erase: 'true' });
      expect(refused.status).toBe(403);
      expect(refused.text).toContain('This link cannot delete your data');
      expect(await statusOf()).toEqual({ status: 'active' });

      // The link of an email sent since carries the current key version: it may erase.
      const current = unsubscribeUrl('https://paperboy.test', SECRET, subscription.id, api.now(), 1);
      const currentPage = await api.http().get(pathOf(current));
      expect(currentPage.text).toContain('name="erase"');
      expect((await api.http().post(pathOf(current)).type('form').send({ erase: 'true' })).status).toBe(200);
      expect(await statusOf()).toBeUndefined();
    });

    it('should answer 409 naming the limit to a revocation past the last one there can be, changing nothing', async () => {
      const subscription = await feedOnly();
      const { id } = subscription;
      await api.sql.query(`UPDATE subscriptions SET "linkVersion" = $2 WHERE id = $1`, [id, MAX_LINK_VERSION]);
      // Manage links never expire: any issue time serves.
      const issuedAt = new Date('2026-11-02T08:00:00Z');
      const token = encodeURIComponent(signToken(SECRET, 'manage', id, issuedAt, MAX_LINK_VERSION));
      const limit = `already revoked ${MAX_LINK_VERSION} times, the most there can be`;

      const refused = await api.http().post(`/api/subscriptions/${id}/revoke-links?token=${token}`);
      expect(refused.status).toBe(409);
      expect((refused.body as { message: string }).message).toContain(limit);
      const page = await api
        .http()
        .post(`/manage?id=${id}&token=${token}`)
        .type('form')
        .send({ intent: 'revoke-links' });
      expect(page.status).toBe(409);
      expect(page.text).toContain(limit);

      expect((await api.sql.query(`SELECT "linkVersion" FROM subscriptions WHERE id = $1`, [id])).rows).toEqual([
        { linkVersion: MAX_LINK_VERSION },
      ]);
      // The unsubscribe link of the first email still unsubscribes.
      expect((await api.http().post(pathOf(subscription.unsubscribeUrl))).status).toBe(200);
    });

    it('should offer "Revoke all earlier links" on the manage page, and show the page under its new link', async () => {
      const subscription = await feedOnly();
      const page = await api.http().get(pathOf(subscription.manageUrl));
      expect(page.status).toBe(200);
      expect(page.text).toContain('<input type="hidden" name="intent" value="revoke-links">');
      expect(page.text).toContain('Revoke all earlier links');

      const revoked = await api
        .http()
        .post(pathOf(subscription.manageUrl))
        .type('form')
        .send({ intent: 'revoke-links' });

      expect(revoked.status).toBe(200);
      expect(revoked.text).toContain('Earlier links revoked');
      const action =
        /<form method="post" action="([^"]+)"><input type="hidden" name="intent" value="revoke-links">/.exec(
          revoked.text,
        )?.[1];
      // The attribute as HTML escapes it (Handlebars writes = as &#x3D;).
      const newPath = (action ?? '').replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
      expect(newPath).toMatch(/^\/manage\?id=/);
      expect(newPath).not.toBe(pathOf(subscription.manageUrl));
      expect((await api.http().get(newPath)).status).toBe(200);
      expect((await api.http().get(pathOf(subscription.manageUrl))).status).toBe(404);
    });
  });

  describe('address changes', () => {
    const activeWithEmail = async (email: string): Promise<ActiveAnswer> => {
      const subscription = await feedOnly();
      await api.sql.query(`UPDATE subscriptions SET email = $2 WHERE id = $1`, [subscription.id, email]);
      return subscription;
    };
    const click = (url: string) => api.http().get(pathOf(url));
    const addressOf = async (id: string) =>
      (await api.sql.query(`SELECT email, "pendingEmail" FROM subscriptions WHERE id = $1`, [id])).rows[0] as {
        email: string;
        pendingEmail: string | null;
      };

    it('should need the current address to approve as well as the new one to confirm, in either order', async () => {
      for (const order of [
        ['confirm', 'approve'],
        ['approve', 'confirm'],
      ] as const) {
        const { id, manageUrl } = await activeWithEmail(`current-${order[0]}@example.org`);
        const next = `next-${order[0]}@example.org`;
        expect((await patch(apiPathOf(manageUrl), { email: next })).status).toBe(200);
        const links = {
          confirm: emailChangeConfirmUrl(PUBLIC_URL, SECRET, id, next, api.now()),
          approve: emailChangeApproveUrl(PUBLIC_URL, SECRET, id, next, api.now()),
        };

        const first = await click(links[order[0]]);
        expect(first.status).toBe(200);
        expect(first.text).toContain('One more click');
        expect(await addressOf(id)).toEqual({ email: `current-${order[0]}@example.org`, pendingEmail: next });

        const second = await click(links[order[1]]);
        expect(second.status).toBe(200);
        expect(await addressOf(id)).toEqual({ email: next, pendingEmail: null });
        // Only the new mailbox's own click shows its links; the old one's says the change is made.
        expect((await click(links.confirm)).text).toContain('Address confirmed');
        const approved = await click(links.approve);
        expect(approved.text).toContain('Change approved');
        expect(approved.text).not.toContain('/manage?');
      }
    });

    it('should send the emails not clicked yet again when the same new address is asked for again', async () => {
      const { id, manageUrl } = await activeWithEmail('again-current@example.org');
      expect((await patch(apiPathOf(manageUrl), { email: 'again-next@example.org' })).status).toBe(200);
      expect(
        (await click(emailChangeConfirmUrl(PUBLIC_URL, SECRET, id, 'again-next@example.org', api.now()))).status,
      ).toBe(200);

      expect((await patch(apiPathOf(manageUrl), { email: 'Again-Next@example.org' })).status).toBe(200);

      expect(await confirmationJobs(id)).toHaveLength(2);
      // The click made stays: the approval alone completes the change.
      expect(
        (await click(emailChangeApproveUrl(PUBLIC_URL, SECRET, id, 'again-next@example.org', api.now()))).status,
      ).toBe(200);
      expect(await addressOf(id)).toEqual({ email: 'again-next@example.org', pendingEmail: null });
    });

    it('should not let an approval of one address stand for another, nor survive a revoke', async () => {
      const { id, manageUrl } = await activeWithEmail('owner2@example.org');
      expect((await patch(apiPathOf(manageUrl), { email: 'thief@example.org' })).status).toBe(200);
      // The thief confirms their own address: not enough.
      expect((await click(emailChangeConfirmUrl(PUBLIC_URL, SECRET, id, 'thief@example.org', api.now()))).status).toBe(
        200,
      );
      // An approval for another address does nothing.
      expect((await click(emailChangeApproveUrl(PUBLIC_URL, SECRET, id, 'other@example.org', api.now()))).status).toBe(
        404,
      );
      expect(await addressOf(id)).toEqual({ email: 'owner2@example.org', pendingEmail: 'thief@example.org' });

      // The owner revokes the links: the change is dropped, and its approval link does nothing.
      expect((await api.http().post(apiPathOf(manageUrl).replace('?', '/revoke-links?'))).status).toBe(200);
      expect((await click(emailChangeApproveUrl(PUBLIC_URL, SECRET, id, 'thief@example.org', api.now()))).status).toBe(
        404,
      );
      expect(await addressOf(id)).toEqual({ email: 'owner2@example.org', pendingEmail: null });
    });
  });
});
