import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Job } from 'bullmq';
import { JobData, JobName, JobProducer, QueueName } from '@libs/queues';
import { NotifierModule } from '../apps/notifier/src/notifier.module';
import { createFetcherContext, FetcherContext, rejectionOf, TestEnv } from './support/fetcher-context';
import { answer, LoopbackServer } from './support/loopback-server';
import { deleteQueueKeys, waitFor } from './support/processes';
import { SmtpSink, startSmtpSink } from './support/smtp-sink';
import { SlackSink, startSlackSink } from './support/stand-ins';
import { createTestDatabase, TestDatabase, testQueuePrefix } from './support/test-database';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** A real answer of the Daily Papers API for 2024-10-25 (a Friday): 29 papers. */
const FIXTURE = readFileSync(join(__dirname, 'fixtures/hf/daily-papers-2024-10-25.json'), 'utf8');
const DATE = '2024-10-25';
const OPS = 'ops@paperboy.test';

type AlertJob = Job<JobData<JobName.SourceHealthAlert>>;

/**
 * Operator alerts from the fetcher's real service to the notifier's real module: a source that fails
 * three times against a loopback 500 alerts once by email (real SMTP server) and Slack (loopback sink),
 * never again while it stays failing, and once more when it recovers.
 */
describe('Source health alerts', () => {
  const env = new TestEnv();
  const prefix = testQueuePrefix('alerts');
  let database: TestDatabase;
  let upstream: LoopbackServer;
  let smtp: SmtpSink;
  let slack: SlackSink;
  let fetcher: FetcherContext;
  let notifier: INestApplicationContext;

  beforeAll(async () => {
    database = await createTestDatabase('alerts');
    upstream = new LoopbackServer();
    await upstream.start();
    [smtp, slack] = await Promise.all([startSmtpSink(), startSlackSink()]);
    env.set({
      DATABASE_URL: database.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Paperboy <alerts@paperboy.test>',
      ALLOW_PRIVATE_TARGETS: 'true',
      ALLOW_ANY_WEBHOOK_HOST: 'true',
      LOG_LEVEL: 'silent',
      ALERT_EMAIL: OPS,
      ALERT_SLACK_WEBHOOK_URL: slack.webhookUrl,
    });
    fetcher = await createFetcherContext([
      { id: 'hf-flaky', kind: 'hf-daily-papers', url: upstream.url('/flaky'), schedule: '0 6 * * *', timezone: 'UTC' },
    ]);
    const moduleRef = await Test.createTestingModule({ imports: [NotifierModule] }).compile();
    moduleRef.useLogger(false);
    notifier = await moduleRef.init();
  });

  afterAll(async () => {
    await notifier?.close();
    await fetcher?.close();
    await Promise.all([upstream?.stop(), smtp?.close(), slack?.close()]);
    await deleteQueueKeys(REDIS_URL, prefix);
    await database?.drop();
    env.restore();
  });

  const alertJobs = async (context: FetcherContext): Promise<AlertJob[]> =>
    ((await context.app.get(JobProducer).queue(QueueName.Notify).getJobs()) as AlertJob[]).filter(
      (job) => job.name === (JobName.SourceHealthAlert as string),
    );
  const settled = async (count: number): Promise<void> => {
    await waitFor(`${count} alert job(s) to complete`, async () => {
      const jobs = await alertJobs(fetcher);
      const states = await Promise.all(jobs.map((job) => job.getState()));
      return jobs.length === count && states.every((state) => state === 'completed');
    });
  };

  it('should alert once by email and Slack when a source turns failing, and not on a fourth failure', async () => {
    upstream.route('/flaky', answer(500, 'upstream broke <b>badly</b>', { 'content-type': 'text/html' }));
    for (let attempt = 1; attempt <= 3; attempt++) {
      const error = await rejectionOf(fetcher.fetcher.fetch('hf-flaky', DATE));
      expect(error.message).toContain('answered HTTP 500');
    }
    await settled(1);
    expect(smtp.mails).toHaveLength(1);
    const [mail] = smtp.mails;
    expect(mail.to).toEqual([OPS]);
    expect(mail.parsed.subject).toBe('Paperboy: source hf-flaky is failing');
    expect(mail.parsed.text).toContain('Why: 3 failed runs in a row; last: Source "hf-flaky"');
    expect(mail.parsed.text).toMatch(/Latest run: failed \(HTTP 500\) for 2024-10-25/);
    expect(mail.parsed.html).toContain('<table');
    expect(slack.messages).toHaveLength(1);
    expect(slack.messages[0].text).toContain('*Paperboy: source hf-flaky is failing*');
    // The job carries ids and state names only.
    const [job] = await alertJobs(fetcher);
    expect(Object.keys(job.data).sort()).toEqual(['changedAt', 'health', 'sourceId']);
    expect(job.data).toMatchObject({ sourceId: 'hf-flaky', health: 'failing' });

    await rejectionOf(fetcher.fetcher.fetch('hf-flaky', DATE));
    // Still failing: a fetch queues its alert before it returns, and this one queued none, so no more is sent.
    expect(await alertJobs(fetcher)).toHaveLength(1);
    await settled(1);
    expect(smtp.mails).toHaveLength(1);
    expect(slack.messages).toHaveLength(1);
  });

  it('should send one "healthy again" note when the source recovers', async () => {
    upstream.route('/flaky', answer(200, FIXTURE, { 'content-type': 'application/json' }));
    await fetcher.fetcher.fetch('hf-flaky', DATE);
    await fetcher.fetcher.fetch('hf-flaky', DATE);
    await settled(2);
    expect(smtp.mails.map((mail) => mail.parsed.subject)).toEqual([
      'Paperboy: source hf-flaky is failing',
      'Paperboy: source hf-flaky is healthy again',
    ]);
    expect(smtp.mails[1].parsed.text).toContain('Latest run: succeeded (HTTP 200) for 2024-10-25');
    expect(slack.messages).toHaveLength(2);
    expect(slack.messages[1].text).toContain('healthy again');
  });

  it('should queue no alert when no operator channel is configured', async () => {
    env.set({ ALERT_EMAIL: '', ALERT_SLACK_WEBHOOK_URL: '' });
    const quiet = await createFetcherContext([
      { id: 'hf-flaky', kind: 'hf-daily-papers', url: upstream.url('/flaky'), schedule: '0 6 * * *', timezone: 'UTC' },
      { id: 'hf-quiet', kind: 'hf-daily-papers', url: upstream.url('/quiet'), schedule: '0 6 * * *', timezone: 'UTC' },
    ]);
    try {
      upstream.route('/quiet', answer(503, 'down'));
      for (let attempt = 1; attempt <= 3; attempt++) {
        await rejectionOf(quiet.fetcher.fetch('hf-quiet', DATE));
      }
      expect((await quiet.source('hf-quiet')).health).toBe('failing');
      expect((await alertJobs(quiet)).filter((job) => job.data.sourceId === 'hf-quiet')).toEqual([]);
    } finally {
      await quiet.close();
    }
  });
});
