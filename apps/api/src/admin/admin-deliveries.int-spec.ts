import { Queue } from 'bullmq';
import { Client } from 'pg';
import { ApiApp, startApiApp } from '../../../../test/support/api-app';
import { liveJobOf } from '../../../../test/support/queue-jobs';

const ADMIN = 'deliveries-admin-token-0123456789';
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

interface LogBody {
  subscriptionId: string;
  items: {
    id: string;
    digestId: string;
    periodKey: string;
    digestStatus: string;
    channel: string;
    status: string;
    attempts: number;
    providerResponse: string | null;
    lastError: string | null;
    sentAt: string | null;
  }[];
  page: number;
  limit: number;
  total: number;
}

interface Seeded {
  subscription: string;
  sentDigest: string;
  failedDigest: string;
  sentEmail: string;
  failedSlack: string;
  failedEmail: string;
  unsubscribed: string;
  suppressed: string;
  slackDisabled: string;
  pending: string;
}

/** The operators' delivery log and resend, through HTTP, against real Postgres and Redis. */
describe('api admin deliveries (integration)', () => {
  let api: ApiApp;
  let sql: Client;
  let notify: Queue;
  let ids: Seeded;

  beforeAll(async () => {
    api = await startApiApp(
      'api_admin',
      { APP_SECRET: 'api-admin-secret-api-admin-secret', ADMIN_TOKEN: ADMIN },
      { logLevels: ['error'] },
    );
    sql = api.sql;
    notify = api.queue('notify');
    ids = await seed(sql);
  }, 60_000);

  afterAll(() => api?.close());

  const http = () => api.http();
  const asAdmin = (path: string) => http().get(path).set('authorization', `Bearer ${ADMIN}`);
  const resend = (id: string) =>
    http().post(`/api/admin/deliveries/${id}/resend`).set('authorization', `Bearer ${ADMIN}`);
  const row = async (id: string): Promise<{ status: string; attempts: number; partsSent: number }> =>
    (await sql.query('SELECT status, attempts, "partsSent" FROM deliveries WHERE id = $1', [id])).rows[0];
  const digestStatus = async (id: string): Promise<string> =>
    (await sql.query<{ status: string }>('SELECT status FROM digests WHERE id = $1', [id])).rows[0].status;
  const messageOf = (body: unknown): string => [(body as { message: string | string[] }).message].flat().join(' | ');

  describe('GET /api/admin/subscriptions/:id/deliveries', () => {
    it('should answer 401 without the admin token or with another, and accept it as bearer or basic auth', async () => {
      const path = `/api/admin/subscriptions/${ids.subscription}/deliveries`;
      expect((await http().get(path)).status).toBe(401);
      expect((await http().get(path).set('authorization', 'Bearer not-the-admin-token-at-all')).status).toBe(401);
      expect((await http().get(path).auth('ops', 'not-the-admin-token-at-all')).status).toBe(401);
      expect((await http().get(path).auth('ops', ADMIN)).status).toBe(200);
      expect((await asAdmin(path)).status).toBe(200);
    });

    it("should list the subscription's deliveries newest period first, with status, attempts, provider answer and sent time", async () => {
      const response = await asAdmin(`/api/admin/subscriptions/${ids.subscription}/deliveries`);
      const body = response.body as LogBody;
      expect(body).toMatchObject({ subscriptionId: ids.subscription, page: 1, limit: 50, total: 3 });
      expect(body.items.map((item) => [item.periodKey, item.channel, item.status])).toEqual([
        ['2026-11-21', 'email', 'failed'],
        ['2026-11-20', 'email', 'sent'],
        ['2026-11-20', 'slack', 'failed'],
      ]);
      expect(body.items[1]).toMatchObject({
        id: ids.sentEmail,
        digestId: ids.sentDigest,
        digestStatus: 'sent',
        attempts: 1,
        providerResponse: '250 2.0.0 OK queued',
        lastError: null,
        sentAt: '2026-11-20T08:00:05.000Z',
      });
      expect(body.items[0]).toMatchObject({
        id: ids.failedEmail,
        attempts: 8,
        lastError: '550 5.1.1 no such user',
        sentAt: null,
      });
    });

    it('should page the log', async () => {
      const body = (await asAdmin(`/api/admin/subscriptions/${ids.subscription}/deliveries?limit=1&page=2`))
        .body as LogBody;
      expect(body).toMatchObject({ page: 2, limit: 1, total: 3 });
      expect(body.items.map((item) => item.id)).toEqual([ids.sentEmail]);
    });

    it('should answer 400 naming a bad id, page, limit or unknown field, and 404 for an unknown subscription', async () => {
      const bad = await asAdmin('/api/admin/subscriptions/not-a-uuid/deliveries');
      expect(bad.status).toBe(400);
      expect(messageOf(bad.body)).toMatch(/uuid/);
      for (const [query, field] of [
        ['limit=0', /limit must be a whole number from 1 to 200/],
        ['limit=201', /limit must be a whole number from 1 to 200/],
        ['limit=ten', /limit must be a whole number from 1 to 200/],
        ['page=0', /page must be a whole number of 1 or more/],
        ['status=failed', /property status should not exist/],
      ] as const) {
        const response = await asAdmin(`/api/admin/subscriptions/${ids.subscription}/deliveries?${query}`);
        expect(response.status).toBe(400);
        expect(messageOf(response.body)).toMatch(field);
      }
      const unknown = await asAdmin(`/api/admin/subscriptions/${UNKNOWN}/deliveries`);
      expect(unknown.status).toBe(404);
      expect(messageOf(unknown.body)).toContain(UNKNOWN);
    });
  });

  describe('POST /api/admin/deliveries/:id/resend', () => {
    it('should answer 401 without the admin token and change nothing', async () => {
      expect((await http().post(`/api/admin/deliveries/${ids.failedSlack}/resend`)).status).toBe(401);
      expect(await row(ids.failedSlack)).toMatchObject({ status: 'failed', attempts: 8 });
    });

    it('should put a failed delivery back to pending with a fresh attempt budget and queue its send in the request trace', async () => {
      const response = await resend(ids.failedSlack).set('x-request-id', 'ops-resend-1');
      expect(response.status).toBe(202);
      expect(response.body).toEqual({ id: ids.failedSlack, status: 'pending', queued: true });
      // Slack messages already accepted are kept, so the resend sends only the rest.
      expect(await row(ids.failedSlack)).toEqual({ status: 'pending', attempts: 0, partsSent: 1 });
      // The digest went out by email: it stays sent (its page and feed keep showing it).
      expect(await digestStatus(ids.sentDigest)).toBe('sent');
      const job = await liveJobOf(notify, `delivery-${ids.failedSlack}`);
      expect(job?.name).toBe('DeliverySend');
      expect(job?.data).toEqual({ deliveryId: ids.failedSlack });
      expect(job?.opts.telemetry?.metadata).toBe('ops-resend-1');
      expect(response.headers['x-request-id']).toBe('ops-resend-1');
    });

    it('should reopen a failed digest whose only delivery failed', async () => {
      expect(await digestStatus(ids.failedDigest)).toBe('failed');
      expect((await resend(ids.failedEmail)).status).toBe(202);
      expect(await digestStatus(ids.failedDigest)).toBe('ready');
      expect(await liveJobOf(notify, `delivery-${ids.failedEmail}`)).toBeDefined();
    });

    it('should refuse with 409 and say why: sent, already on its way, or a channel that cannot take it', async () => {
      const cases: [string, RegExp][] = [
        [ids.sentEmail, /was sent at 2026-11-20T08:00:05.000Z; sending it again would duplicate it/],
        [ids.failedSlack, /is pending: it is already on its way/],
        [ids.pending, /is pending: it is already on its way/],
        [ids.unsubscribed, /is unsubscribed; nothing is sent to it/],
        [ids.suppressed, /address is suppressed after hard bounces or a complaint/],
        [ids.slackDisabled, /Slack channel is disabled \(webhook answered 404 no_service\)/],
      ];
      for (const [id, why] of cases) {
        const before = await row(id);
        const response = await resend(id);
        expect(response.status).toBe(409);
        expect(messageOf(response.body)).toMatch(why);
        expect(await row(id)).toEqual(before);
      }
    });

    it('should answer 400 for a malformed id and 404 for an unknown one', async () => {
      const bad = await resend('12345');
      expect(bad.status).toBe(400);
      expect(messageOf(bad.body)).toMatch(/uuid/);
      const unknown = await resend(UNKNOWN);
      expect(unknown.status).toBe(404);
      expect(messageOf(unknown.body)).toContain(UNKNOWN);
    });
  });
});

async function seed(sql: Client): Promise<Seeded> {
  const subscription = async (columns: string, values: string): Promise<string> =>
    (
      await sql.query<{ id: string }>(
        `INSERT INTO subscriptions (frequency, timezone, "sendHour", ${columns}) VALUES ('daily', 'UTC', 8, ${values}) RETURNING id`,
      )
    ).rows[0].id;
  const digest = async (subscriptionId: string, period: string, status: string): Promise<string> =>
    (
      await sql.query<{ id: string }>(
        `INSERT INTO digests ("subscriptionId", "periodKey", "dueAt", status, "paperCount")
         VALUES ($1, $2, $3, $4, 5) RETURNING id`,
        [subscriptionId, period, `${period}T08:00:00Z`, status],
      )
    ).rows[0].id;
  const delivery = async (
    digestId: string,
    channel: string,
    status: string,
    extra: {
      attempts?: number;
      partsSent?: number;
      providerResponse?: string;
      lastError?: string;
      sentAt?: string;
    } = {},
  ): Promise<string> =>
    (
      await sql.query<{ id: string }>(
        `INSERT INTO deliveries ("digestId", channel, status, attempts, "partsSent", "providerResponse", "lastError", "sentAt")
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [
          digestId,
          channel,
          status,
          extra.attempts ?? 1,
          extra.partsSent ?? 0,
          extra.providerResponse ?? null,
          extra.lastError ?? null,
          extra.sentAt ?? null,
        ],
      )
    ).rows[0].id;

  const main = await subscription(
    'status, email, "slackWebhookUrl"',
    `'active', 'reader@example.org', 'sealed-webhook'`,
  );
  const sentDigest = await digest(main, '2026-11-20', 'sent');
  const failedDigest = await digest(main, '2026-11-21', 'failed');
  const sentEmail = await delivery(sentDigest, 'email', 'sent', {
    providerResponse: '250 2.0.0 OK queued',
    sentAt: '2026-11-20T08:00:05Z',
  });
  const failedSlack = await delivery(sentDigest, 'slack', 'failed', {
    attempts: 8,
    partsSent: 1,
    lastError: 'Slack answered 500',
  });
  const failedEmail = await delivery(failedDigest, 'email', 'failed', {
    attempts: 8,
    lastError: '550 5.1.1 no such user',
  });

  const gone = await subscription('status, email, "unsubscribedAt"', `'unsubscribed', 'gone@example.org', now()`);
  const unsubscribed = await delivery(await digest(gone, '2026-11-20', 'failed'), 'email', 'failed');
  const bounced = await subscription('status, email, "emailSuppressedAt"', `'active', 'bounced@example.org', now()`);
  const suppressed = await delivery(await digest(bounced, '2026-11-20', 'failed'), 'email', 'failed');
  const archived = await subscription(
    'status, "slackWebhookUrl", "slackDisabledAt", "slackDisabledReason"',
    `'active', 'sealed', now(), 'webhook answered 404 no_service'`,
  );
  const slackDisabled = await delivery(await digest(archived, '2026-11-20', 'failed'), 'slack', 'failed');
  const waiting = await subscription('status, email', `'active', 'waiting@example.org'`);
  const pending = await delivery(await digest(waiting, '2026-11-22', 'ready'), 'email', 'pending');
  return {
    subscription: main,
    sentDigest,
    failedDigest,
    sentEmail,
    failedSlack,
    failedEmail,
    unsubscribed,
    suppressed,
    slackDisabled,
    pending,
  };
}
