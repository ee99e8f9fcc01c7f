import { INestApplication } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import request from 'supertest';
import { deleteQueueKeys } from '../../../test/support/processes';
import { createTestDatabase, TestDatabase, testQueuePrefix } from '../../../test/support/test-database';
import { createApiApp } from './bootstrap';

const REDIS_URL = 'redis://127.0.0.1:6379';
const ADMIN = 'admin-token-for-the-tests';

/** Abuse limits and hardening of the public API, with real Postgres and Redis. */
describe('api security', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let notify: Queue;
  const prefix = testQueuePrefix('security');
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    database = await createTestDatabase('security');
    Object.assign(process.env, {
      DATABASE_URL: database.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      APP_SECRET: 'security-test-secret-security',
      SUBSCRIBE_RATE_LIMIT: '3',
      TRUST_PROXY: 'true',
      ADMIN_TOKEN: ADMIN,
    });
    app = await createApiApp();
    await app.init();
    notify = new Queue('notify', { connection: { url: REDIS_URL }, prefix });
  });

  afterAll(async () => {
    await notify?.close();
    await app?.close();
    await deleteQueueKeys(REDIS_URL, prefix);
    await database?.drop();
    process.env = savedEnv;
  });

  const subscribe = (from: string, body: object) =>
    request(app.getHttpServer()).post('/api/subscriptions').set('x-forwarded-for', from).send(body);

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

  it('should stop mailing an address entered again and again, with the same answer', async () => {
    const answers: unknown[] = [];
    for (let i = 0; i < 5; i += 1) {
      const response = await subscribe(`203.0.113.${i}`, { email: 'target@example.org' });
      expect(response.status).toBe(202);
      answers.push(response.body);
    }
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
    const confirmations = (await notify.getJobs(['waiting', 'delayed', 'prioritized'])).filter(
      (job) => job.name === 'ConfirmationSend',
    );
    expect(confirmations).toHaveLength(3);
  });

  it('should send security headers and refuse oversized bodies', async () => {
    const page = await request(app.getHttpServer()).get('/api/topics');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['x-powered-by']).toBeUndefined();
    const huge = await subscribe('192.0.2.50', { topics: ['llm'], keywords: ['x'.repeat(20_000)] });
    expect(huge.status).toBe(413);
  });

  it('should serve Prometheus metrics from the ledger and the queues to the admin token only', async () => {
    expect((await subscribe('192.0.2.77', { email: 'metrics@example.org' })).status).toBe(202);
    expect((await request(app.getHttpServer()).get('/metrics')).status).toBe(401);
    expect((await request(app.getHttpServer()).get('/metrics').set('authorization', 'Bearer wrong-token-wrong')).status).toBe(401);
    const response = await request(app.getHttpServer()).get('/metrics').set('authorization', `Bearer ${ADMIN}`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    expect(response.text).toMatch(/^paperboy_papers 0$/m);
    // The confirmation just queued is waiting on the notify queue: no notifier runs here.
    expect(response.text).toMatch(/^paperboy_queue_jobs\{queue="notify",state="waiting"\} [1-9]\d*$/m);
    expect(response.text).toContain('paperboy_scrape_ok 1');
  });

  it('should put the queue dashboard behind basic auth with the admin token', async () => {
    const anonymous = await request(app.getHttpServer()).get('/admin/queues');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toContain('Basic');
    const admin = await request(app.getHttpServer()).get('/admin/queues').auth('admin', ADMIN);
    expect(admin.status).toBe(200);
    expect(admin.text).toContain('<html');
  });

  it('should document the API in OpenAPI at /api/docs', async () => {
    const spec = await request(app.getHttpServer()).get('/api/docs/openapi.json');
    expect(spec.status).toBe(200);
    const document = spec.body as { openapi: string; paths: Record<string, object>; components: { schemas: Record<string, unknown> } };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/subscriptions', '/api/subscriptions/{id}', '/api/topics', '/unsubscribe']),
    );
    expect(JSON.stringify(document.components.schemas.CreateSubscriptionDto)).toContain('sendHour');
    expect((await request(app.getHttpServer()).get('/api/docs')).status).toBe(200);
  });

  it('should list source health to the admin token only', async () => {
    expect((await request(app.getHttpServer()).get('/api/admin/sources')).status).toBe(401);
    const sql = new Client({ connectionString: database.url });
    await sql.connect();
    try {
      await sql.query(
        `INSERT INTO sources (id, kind, url, schedule, timezone, health, "healthReason")
         VALUES ('journal', 'rss', 'https://journal.example/feed?key=s3cret', '0 6 * * *', 'UTC', 'failing', '3 failed runs')`,
      );
      await sql.query(
        `INSERT INTO fetch_runs ("sourceId", "startedAt", "finishedAt", status, "httpStatus", error)
         VALUES ('journal', now(), now(), 'failed', 503, 'HTTP 503')`,
      );
    } finally {
      await sql.end();
    }
    const response = await request(app.getHttpServer()).get('/api/admin/sources').set('authorization', `Bearer ${ADMIN}`);
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
