import { ApiApp, startApiApp } from '../../../../test/support/api-app';
import { startTcpProxy, TcpProxy } from '../../../../test/support/tcp-proxy';

const REDIS_URL = 'redis://127.0.0.1:6379';

/** The api's probes and request ids, in-process, with Postgres and Redis behind proxies the test can cut. */
describe('api health and request ids (integration)', () => {
  let postgres: TcpProxy;
  let redis: TcpProxy;
  let api: ApiApp;

  beforeAll(async () => {
    [postgres, redis] = await Promise.all([startTcpProxy('127.0.0.1', 5432), startTcpProxy('127.0.0.1', 6379)]);
    api = await startApiApp(
      'api_health',
      (database) => ({
        DATABASE_URL: postgres.url(database.url),
        REDIS_URL: redis.url(REDIS_URL),
        APP_SECRET: 'api-health-secret-api-health-secret',
      }),
      { logLevels: ['error'] },
    );
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await Promise.all([postgres?.close(), redis?.close()]);
  });

  const http = () => api.http();

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
