import { INestApplication, Logger } from '@nestjs/common';
import request from 'supertest';
import { deleteQueueKeys } from '../../../../test/support/processes';
import { startTcpProxy, TcpProxy } from '../../../../test/support/tcp-proxy';
import { createTestDatabase, TestDatabase, testQueuePrefix } from '../../../../test/support/test-database';
import { createApiApp } from '../bootstrap';

const REDIS_URL = 'redis://127.0.0.1:6379';

/** The api's probes and request ids, in-process, with Postgres and Redis behind proxies the test can cut. */
describe('api health and request ids (integration)', () => {
  const prefix = testQueuePrefix('api-health');
  const envKeys = ['DATABASE_URL', 'REDIS_URL', 'QUEUE_PREFIX', 'APP_SECRET'] as const;
  const savedEnv = new Map<string, string | undefined>(envKeys.map((key) => [key, process.env[key]]));
  let database: TestDatabase;
  let postgres: TcpProxy;
  let redis: TcpProxy;
  let app: INestApplication;

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    database = await createTestDatabase('api_health');
    [postgres, redis] = await Promise.all([startTcpProxy('127.0.0.1', 5432), startTcpProxy('127.0.0.1', 6379)]);
    Object.assign(process.env, {
      DATABASE_URL: postgres.url(database.url),
      REDIS_URL: redis.url(REDIS_URL),
      QUEUE_PREFIX: prefix,
      APP_SECRET: 'api-health-secret-api-health-secret',
    });
    app = await createApiApp();
    await app.init();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await Promise.all([postgres?.close(), redis?.close()]);
    await deleteQueueKeys(REDIS_URL, prefix);
    await database?.drop();
    for (const [key, value] of savedEnv) {
      if (value === undefined) {
        delete process.env[key];
      } else {
        process.env[key] = value;
      }
    }
  });

  const http = () => request(app.getHttpServer());

  it('should answer live and ready (and /health, the older name of ready) with Postgres and Redis up', async () => {
    const live = await http().get('/health/live');
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ status: 'ok', info: { process: { status: 'up' } } });
    for (const path of ['/health/ready', '/health']) {
      const ready = await http().get(path);
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, redis: { status: 'up' } } });
    }
  });

  it('should answer ready 503 naming Postgres while it is unreachable, live 200, and recover', async () => {
    postgres.cut();
    try {
      const ready = await http().get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({
        status: 'error',
        error: { database: { status: 'down' } },
        info: { redis: { status: 'up' } },
      });
      expect((await http().get('/health/live')).status).toBe(200);
    } finally {
      postgres.restore();
    }
    expect((await http().get('/health/ready')).status).toBe(200);
  });

  it('should answer ready 503 naming Redis within its timeout while Redis is unreachable, and recover', async () => {
    redis.cut();
    try {
      const started = Date.now();
      const ready = await http().get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ error: { redis: { status: 'down' } }, info: { database: { status: 'up' } } });
      expect(Date.now() - started).toBeLessThan(5000);
      expect((await http().get('/health/live')).status).toBe(200);
    } finally {
      redis.restore();
    }
    const deadline = Date.now() + 20_000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline) {
      status = (await http().get('/health/ready')).status;
    }
    expect(status).toBe(200);
  }, 30_000);

  it('should echo a sane X-Request-Id and replace one that is not', async () => {
    const kept = await http().get('/health/live').set('x-request-id', 'proxy-7f3a.42:abc');
    expect(kept.headers['x-request-id']).toBe('proxy-7f3a.42:abc');
    for (const bad of ['has spaces in it', 'x'.repeat(129), 'line\tbreak', '<script>']) {
      const replaced = await http().get('/health/live').set('x-request-id', bad);
      expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
    const first = await http().get('/api/topics');
    const second = await http().get('/api/topics');
    expect(first.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
  });
});
