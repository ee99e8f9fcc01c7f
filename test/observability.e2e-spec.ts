import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Job, Queue } from 'bullmq';
import { DateTime } from 'luxon';
import { QueueName } from '../libs/queues/src/queue-contract';
import { AppProcess, deleteQueueKeys, startApp, waitFor } from './support/processes';
import { SmtpSink, startSmtpSink } from './support/smtp-sink';
import { HfStandIn, startHfStandIn } from './support/stand-ins';
import { freePort, startTcpProxy, TcpProxy } from './support/tcp-proxy';
import { createTestDatabase, TestDatabase, testQueuePrefix } from './support/test-database';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

interface LogLine {
  level: number;
  msg?: string;
  traceId?: string;
  job?: { queue: string; name: string; id?: string };
  req?: { id?: string; url?: string };
}

interface HealthBody {
  status: string;
  info?: Record<string, { status: string; [key: string]: unknown }>;
  error?: Record<string, { status: string; [key: string]: unknown }>;
}

/**
 * Probes, worker metrics and trace ids, through the public interfaces: the api and the fetcher, classifier
 * and notifier processes (HEALTH_PORT set), Postgres and Redis reached through TCP proxies the test can cut.
 */
type WorkerApp = 'fetcher' | 'classifier' | 'notifier';
type App = WorkerApp | 'api';
const WORKERS: WorkerApp[] = ['fetcher', 'classifier', 'notifier'];

describe('Worker health, metrics and trace ids (end to end)', () => {
  const today = DateTime.utc().toISODate();
  const prefix = testQueuePrefix('observe');
  const traceId = `trace-e2e-${randomBytes(4).toString('hex')}`;
  let database: TestDatabase;
  let hf: HfStandIn;
  let smtp: SmtpSink;
  let postgres: TcpProxy;
  let redis: TcpProxy;
  let workDir: string;
  let apps: Record<App, AppProcess>;
  let ports: Record<App, number>;
  let queues: Record<'fetch' | 'classify', Queue>;

  beforeAll(async () => {
    database = await createTestDatabase('observe');
    [hf, smtp, postgres, redis] = await Promise.all([
      startHfStandIn(today),
      startSmtpSink(),
      startTcpProxy('127.0.0.1', 5432),
      startTcpProxy('127.0.0.1', Number(new URL(REDIS_URL).port || 6379)),
    ]);
    workDir = mkdtempSync(join(tmpdir(), 'paperboy-observe-'));
    const sourcesFile = join(workDir, 'sources.yml');
    // A schedule that never comes during the test: the only fetch is the one the test queues.
    writeFileSync(
      sourcesFile,
      `sources:\n  - id: hf-daily\n    kind: hf-daily-papers\n    url: ${hf.url}\n    schedule: "0 6 1 1 *"\n`,
    );
    ports = {
      api: await freePort(),
      fetcher: await freePort(),
      classifier: await freePort(),
      notifier: await freePort(),
    };
    const env = (port: number): NodeJS.ProcessEnv => ({
      NODE_ENV: 'test',
      LOG_LEVEL: 'debug',
      DATABASE_URL: postgres.url(database.url),
      REDIS_URL: redis.url(REDIS_URL),
      QUEUE_PREFIX: prefix,
      APP_SECRET: 'observe-secret-observe-secret-0123',
      SOURCES_FILE: sourcesFile,
      ALLOW_PRIVATE_TARGETS: 'true',
      SMTP_URL: smtp.url,
      PUBLIC_URL: `http://127.0.0.1:${ports.api}`,
      HEALTH_PORT: String(port),
      PORT: String(ports.api),
    });
    apps = {
      api: startApp('api', env(0)),
      fetcher: startApp('fetcher', env(ports.fetcher)),
      classifier: startApp('classifier', env(ports.classifier)),
      notifier: startApp('notifier', env(ports.notifier)),
    };
    for (const name of [...WORKERS, 'api'] as const) {
      await waitFor(
        `the ${name} to answer /health/live`,
        async () => (await probe(name, '/health/live')).ok,
        60_000,
      ).catch(failWithLogs);
    }
    const queue = (name: QueueName): Queue => new Queue(name, { connection: { url: REDIS_URL }, prefix });
    queues = { fetch: queue(QueueName.Fetch), classify: queue(QueueName.Classify) };
  }, 120_000);

  afterAll(async () => {
    await Promise.all(Object.values(queues ?? {}).map((queue) => queue.close()));
    await Promise.all(Object.values(apps ?? {}).map((app) => app.stop()));
    await Promise.all([hf?.close(), smtp?.close(), postgres?.close(), redis?.close()]);
    await deleteQueueKeys(REDIS_URL, prefix);
    await database?.drop();
    rmSync(workDir, { force: true, recursive: true });
  });

  const failWithLogs = (error: Error): never => {
    throw new Error(
      `${error.message}\n${Object.values(apps)
        .map((app) => `--- ${app.name}\n${app.output()}`)
        .join('\n')}`,
    );
  };
  const probe = (app: App, path: string): Promise<Response> =>
    fetch(`http://127.0.0.1:${ports[app]}${path}`, { signal: AbortSignal.timeout(10_000) });
  const health = async (app: App, path: string): Promise<{ status: number; body: HealthBody }> => {
    const response = await probe(app, path);
    return { status: response.status, body: (await response.json()) as HealthBody };
  };
  const logLines = (app: AppProcess): LogLine[] =>
    app
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  /** The value of one series of a Prometheus text exposition, or undefined when absent. */
  const sample = (text: string, series: string): number | undefined => {
    const line = text.split('\n').find((row) => row.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  it('should be live and ready, with each worker running and Postgres and Redis up', async () => {
    for (const [app, queues] of [
      ['fetcher', ['fetch']],
      // The classifier's second worker makes the optional embeddings (its own queue, so an outage there waits apart).
      ['classifier', ['classify', 'embed']],
      ['notifier', ['notify']],
      ['api', undefined],
    ] as const) {
      const live = await health(app, '/health/live');
      expect(live.status).toBe(200);
      expect(live.body.info).toMatchObject({ process: { status: 'up' } });
      // The api runs no BullMQ worker; each worker app runs the ones of its queues.
      expect(live.body.info?.workers).toEqual(queues === undefined ? undefined : { status: 'up', queues });
      const ready = await health(app, '/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, redis: { status: 'up' } } });
    }
  }, 60_000);

  it('should carry the trace id of a fetch to the log lines of the classify jobs it queued, and count every job', async () => {
    // The test queues the fetch as a traced producer would (JobProducer puts the trace id there).
    const fetch = await queues.fetch.add(
      'SourceFetch',
      { sourceId: 'hf-daily', date: today },
      { attempts: 1, telemetry: { metadata: traceId } },
    );
    await waitFor('the fetch to finish', async () => (await fetch.getState()) === 'completed', 60_000).catch(
      failWithLogs,
    );
    const classifyJobs = await queues.classify.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed']);
    expect(classifyJobs.length).toBeGreaterThan(0);
    // The trace travels in the job's options; the payload stays the contract's ids.
    for (const job of classifyJobs) {
      expect(job.opts.telemetry?.metadata).toBe(traceId);
      expect(JSON.stringify(job.data)).not.toContain(traceId);
    }
    const finished = async (jobs: Job[]): Promise<boolean> =>
      (await Promise.all(jobs.map((job) => queues.classify.getJobState(job.id as string)))).every(
        (state) => state === 'completed',
      );
    await waitFor('the classify jobs to finish', () => finished(classifyJobs), 60_000).catch(failWithLogs);

    const fetcherLines = logLines(apps.fetcher).filter((line) => line.traceId === traceId);
    expect(fetcherLines.some((line) => line.job?.queue === 'fetch' && line.job.id === fetch.id)).toBe(true);
    const classifierLines = logLines(apps.classifier).filter((line) => line.traceId === traceId);
    const classifiedIds = new Set(
      classifierLines.filter((line) => line.job?.queue === 'classify').map((line) => line.job?.id),
    );
    for (const job of classifyJobs) {
      expect(classifiedIds.has(job.id)).toBe(true);
    }
    expect(classifierLines.find((line) => line.job?.id === classifyJobs[0].id)?.msg).toMatch(/completed in \d+ ms/);

    const fetcherMetrics = await (await probe('fetcher', '/metrics')).text();
    expect(
      sample(
        fetcherMetrics,
        'paperboy_job_duration_seconds_count{queue="fetch",name="SourceFetch",outcome="completed"}',
      ),
    ).toBe(1);
    expect(fetcherMetrics).toContain('# TYPE paperboy_fetcher_process_cpu_user_seconds_total counter');
    const classifierMetrics = await (await probe('classifier', '/metrics')).text();
    const classifyName = classifyJobs[0].name;
    expect(
      sample(
        classifierMetrics,
        `paperboy_job_duration_seconds_count{queue="classify",name="${classifyName}",outcome="completed"}`,
      ),
    ).toBe(classifyJobs.length);
    expect(classifierMetrics).toContain('# TYPE paperboy_job_duration_seconds histogram');
    expect(classifierMetrics).toContain('# TYPE paperboy_classifier_nodejs_eventloop_lag_seconds gauge');
  }, 60_000);

  it('should carry the request id of an api request to the log lines of the job it queued in the notifier', async () => {
    const requestId = `req-e2e-${randomBytes(4).toString('hex')}`;
    const response = await fetch(`http://127.0.0.1:${ports.api}/api/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ email: 'traced@example.org' }),
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('x-request-id')).toBe(requestId);
    await waitFor('the confirmation email', async () =>
      smtp.mails.some((mail) => mail.to.includes('traced@example.org')),
    );
    await waitFor('the notifier to log the job', async () =>
      logLines(apps.notifier).some((line) => line.traceId === requestId && /completed in/.test(line.msg ?? '')),
    ).catch(failWithLogs);

    const apiLines = logLines(apps.api).filter((line) => line.req?.id === requestId);
    expect(apiLines.some((line) => line.req?.url === '/api/subscriptions')).toBe(true);
    const notifierLines = logLines(apps.notifier).filter((line) => line.traceId === requestId);
    expect(notifierLines.every((line) => line.job?.name === 'ConfirmationSend')).toBe(true);
    expect(notifierLines.length).toBeGreaterThan(0);
  }, 60_000);

  it('should answer ready 503 naming Postgres while it is unreachable, stay live, and recover', async () => {
    postgres.cut();
    try {
      const ready = await health('classifier', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.error).toMatchObject({ database: { status: 'down' } });
      expect(ready.body.info).toMatchObject({ redis: { status: 'up' } });
      expect((await health('classifier', '/health/live')).status).toBe(200);
    } finally {
      postgres.restore();
    }
    await waitFor('the classifier to be ready again', async () => (await probe('classifier', '/health/ready')).ok);
  }, 60_000);

  it('should answer ready 503 naming Redis while it is unreachable, stay live, and recover', async () => {
    redis.cut();
    try {
      for (const app of WORKERS) {
        const ready = await health(app, '/health/ready');
        expect(ready.status).toBe(503);
        expect(ready.body.error).toMatchObject({ redis: { status: 'down' } });
        expect(ready.body.info).toMatchObject({ database: { status: 'up' } });
        expect((await health(app, '/health/live')).status).toBe(200);
      }
    } finally {
      redis.restore();
    }
    for (const app of WORKERS) {
      await waitFor(`the ${app} to be ready again`, async () => (await probe(app, '/health/ready')).ok, 30_000);
    }
  }, 60_000);
});
