import { Queue } from 'bullmq';
import { ApiApp, startApiApp } from '../../../test/support/api-app';

const ADMIN = 'admin-token-for-the-tests';

/** Abuse limits and hardening of the public API, with real Postgres and Redis. */
describe('api security', () => {
  let api: ApiApp;
  let notify: Queue;

  beforeAll(async () => {
    api = await startApiApp('security', {
      APP_SECRET: 'security-test-secret-security',
      SUBSCRIBE_RATE_LIMIT: '3',
      TRUST_PROXY: 'true',
      ADMIN_TOKEN: ADMIN,
    });
    notify = api.queue('notify');
  });

  afterAll(() => api?.close());

  const subscribe = (from: string, body: object) =>
    api.http().post('/api/subscriptions').set('x-forwarded-for', from).send(body);

  it('should answer 429 with Retry-After once a client exceeds its limit, and count each client apart', async () => {
    for (let i = 0; i < 3; i += 1) {
      expect((await subscribe('198.51.100.7', { topics: ['llm'] })).status).toBe(202);
    }
    const refused = await subscribe('198.51.100.7', { topics: ['llm'] });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((refused.body as { message: string }).message).toMatch(/Too many subscription requests/);
    expect((await subscribe('198.51.100.8', { topics: ['llm'] })).status).toBe(202);
  });

  it('should fold an address entered again and again into one pending subscription, with the same answer', async () => {
    const answers: unknown[] = [];
    for (let i = 0; i < 5; i += 1) {
      const response = await subscribe(`203.0.113.${i}`, { email: 'target@example.org' });
      expect(response.status).toBe(202);
      answers.push(response.body);
    }
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
    // One confirmation job: the notifier caps the emails per address (test/confirmation-cap.e2e-spec.ts).
    const confirmations = (await notify.getJobs(['waiting', 'delayed', 'prioritized'])).filter(
      (job) => job.name === 'ConfirmationSend',
    );
    expect(confirmations).toHaveLength(1);
  });

  it('should send security headers and refuse oversized bodies', async () => {
    const page = await api.http().get('/api/topics');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['x-powered-by']).toBeUndefined();
    const huge = await subscribe('192.0.2.50', { topics: ['llm'], keywords: ['x'.repeat(20_000)] });
    expect(huge.status).toBe(413);
  });

  it('should serve Prometheus metrics from the ledger and the queues to the admin token only', async () => {
    expect((await subscribe('192.0.2.77', { email: 'metrics@example.org' })).status).toBe(202);
    expect((await api.http().get('/metrics')).status).toBe(401);
    expect((await api.http().get('/metrics').set('authorization', 'Bearer wrong-token-wrong')).status).toBe(401);
    const response = await api.http().get('/metrics').set('authorization', `Bearer ${ADMIN}`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    expect(response.text).toMatch(/^paperboy_papers 0$/m);
    // The confirmation just queued is waiting on the notify queue: no notifier runs here.
    expect(response.text).toMatch(/^paperboy_queue_jobs\{queue="notify",state="waiting"\} [1-9]\d*$/m);
    expect(response.text).toContain('paperboy_scrape_ok 1');
  });

  it('should put the queue dashboard behind basic auth with the admin token', async () => {
    const anonymous = await api.http().get('/admin/queues');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toContain('Basic');
    const admin = await api.http().get('/admin/queues').auth('admin', ADMIN);
    expect(admin.status).toBe(200);
    expect(admin.text).toContain('<html');
  });

  it('should document the API in OpenAPI at /api/docs', async () => {
    const spec = await api.http().get('/api/docs/openapi.json');
    expect(spec.status).toBe(200);
    const document = spec.body as { openapi: string; paths: Record<string, object>; components: { schemas: Record<string, unknown> } };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/subscriptions', '/api/subscriptions/{id}', '/api/topics', '/unsubscribe']),
    );
    expect(JSON.stringify(document.components.schemas.CreateSubscriptionDto)).toContain('sendHour');
    expect((await api.http().get('/api/docs')).status).toBe(200);
  });

  it('should list source health to the admin token only', async () => {
    expect((await api.http().get('/api/admin/sources')).status).toBe(401);
    await api.sql.query(
      `INSERT INTO sources (id, kind, url, schedule, timezone, health, "healthReason")
       VALUES ('journal', 'rss', 'https://journal.example/feed?key=s3cret', '0 6 * * *', 'UTC', 'failing', '3 failed runs')`,
    );
    await api.sql.query(
      `INSERT INTO fetch_runs ("sourceId", "startedAt", "finishedAt", status, "httpStatus", error)
       VALUES ('journal', now(), now(), 'failed', 503, 'HTTP 503')`,
    );
    const response = await api.http().get('/api/admin/sources').set('authorization', `Bearer ${ADMIN}`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual([
      expect.objectContaining({
        id: 'journal',
        health: 'failing',
        healthReason: '3 failed runs',
        lastRun: expect.objectContaining({ status: 'failed', httpStatus: 503, error: 'HTTP 503' }),
      }),
    ]);
    expect(JSON.stringify(response.body)).not.toContain('s3cret');
  });
});
