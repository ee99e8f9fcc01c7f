import { Client } from 'pg';
import { ApiApp, startApiApp } from '../../../../test/support/api-app';

const ADMIN = 'metrics-admin-token-0123456789';

/** Every ledger figure of the api's /metrics, against rows the test wrote itself. */
describe('api /metrics (integration)', () => {
  let api: ApiApp;
  let text: string;

  beforeAll(async () => {
    api = await startApiApp(
      'api_metrics',
      { APP_SECRET: 'api-metrics-secret-api-metrics-secret', ADMIN_TOKEN: ADMIN },
      { logLevels: ['error'] },
    );
    await seed(api.sql);
    const [fetch, classify] = [api.queue('fetch'), api.queue('classify')];
    await classify.add('ListingClassify', { listingId: 'a' });
    await classify.add('ListingClassify', { listingId: 'b' });
    await fetch.add('SourceFetch', { sourceId: 'hf' }, { delay: 3_600_000 });
    const response = await api.http().get('/metrics').set('authorization', `Bearer ${ADMIN}`);
    expect(response.status).toBe(200);
    text = response.text;
  }, 60_000);

  afterAll(() => api?.close());

  const sample = (series: string): number | undefined => {
    const line = text.split('\n').find((row) => row.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  it('should count fetch runs by source and outcome, and show each source health', () => {
    expect(sample('paperboy_fetch_runs{source="hf",status="failed"}')).toBe(2);
    expect(sample('paperboy_fetch_runs{source="hf",status="succeeded"}')).toBe(1);
    expect(sample('paperboy_fetch_runs{source="rss",status="succeeded"}')).toBe(1);
    expect(sample('paperboy_fetch_runs{source="rss",status="failed"}')).toBeUndefined();
    expect(sample('paperboy_source_health{source="hf",health="failing"}')).toBe(1);
    expect(sample('paperboy_source_health{source="rss",health="healthy"}')).toBe(1);
  });

  it('should count listings by source and ready papers only', () => {
    expect(sample('paperboy_listings{source="hf"}')).toBe(3);
    expect(sample('paperboy_listings{source="rss"}')).toBe(1);
    expect(sample('paperboy_papers')).toBe(2);
  });

  it('should count digests by status and deliveries by channel and status', () => {
    expect(sample('paperboy_digests{status="sent"}')).toBe(1);
    expect(sample('paperboy_digests{status="failed"}')).toBe(1);
    expect(sample('paperboy_digests{status="empty"}')).toBe(1);
    expect(sample('paperboy_deliveries{channel="email",status="sent"}')).toBe(1);
    expect(sample('paperboy_deliveries{channel="email",status="failed"}')).toBe(1);
    expect(sample('paperboy_deliveries{channel="slack",status="failed"}')).toBe(1);
    expect(sample('paperboy_deliveries{channel="slack",status="sent"}')).toBeUndefined();
  });

  it('should show queue depths by queue and state, the api process, and a successful scrape', () => {
    expect(sample('paperboy_queue_jobs{queue="classify",state="waiting"}')).toBe(2);
    expect(sample('paperboy_queue_jobs{queue="fetch",state="delayed"}')).toBe(1);
    expect(sample('paperboy_queue_jobs{queue="notify",state="waiting"}')).toBe(0);
    expect(text).toContain('# TYPE paperboy_api_process_cpu_user_seconds_total counter');
    expect(sample('paperboy_scrape_ok')).toBe(1);
  });
});

async function seed(sql: Client): Promise<void> {
  await sql.query(`INSERT INTO sources (id, kind, url, schedule, timezone, health) VALUES
    ('hf', 'hf-daily-papers', 'http://hf.test/api/daily_papers', '0 6 * * *', 'UTC', 'failing'),
    ('rss', 'rss', 'http://blog.test/feed', '0 6 * * *', 'UTC', 'healthy')`);
  await sql.query(`INSERT INTO fetch_runs ("sourceId", "startedAt", status) VALUES
    ('hf', now(), 'failed'), ('hf', now(), 'failed'), ('hf', now(), 'succeeded'), ('rss', now(), 'succeeded')`);
  await sql.query(`INSERT INTO listings ("sourceId", "externalId", title, abstract, "listedAt") VALUES
    ('hf', '1', 'One', 'a', now()), ('hf', '2', 'Two', 'a', now()), ('hf', '3', 'Three', 'a', now()),
    ('rss', 'x', 'Ex', 'a', now())`);
  await sql.query(`INSERT INTO papers (title, abstract, "listedAt", "readyAt") VALUES
    ('One', 'a', now(), now()), ('Two', 'a', now(), now()), ('Three', 'a', now(), NULL)`);
  const { rows } = await sql.query<{
    id: string;
  }>(`INSERT INTO subscriptions (email, status, frequency, timezone, "sendHour")
    VALUES ('m@example.org', 'active', 'daily', 'UTC', 8) RETURNING id`);
  const subscriptionId = rows[0].id;
  const digest = async (period: string, status: string): Promise<string> =>
    (
      await sql.query<{ id: string }>(
        `INSERT INTO digests ("subscriptionId", "periodKey", "dueAt", status) VALUES ($1, $2, now(), $3) RETURNING id`,
        [subscriptionId, period, status],
      )
    ).rows[0].id;
  const sent = await digest('2026-11-01', 'sent');
  const failed = await digest('2026-11-02', 'failed');
  await digest('2026-11-03', 'empty');
  await sql.query(
    `INSERT INTO deliveries ("digestId", channel, status) VALUES
    ($1, 'email', 'sent'), ($1, 'slack', 'failed'), ($2, 'email', 'failed')`,
    [sent, failed],
  );
}
