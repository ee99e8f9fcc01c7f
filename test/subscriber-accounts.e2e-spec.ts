import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Job, JobType, Queue } from 'bullmq';
import { PermanentError } from '@libs/domain';
import { NotifierModule } from '../apps/notifier/src/notifier.module';
import { SlackChannel } from '../apps/notifier/src/channels/slack.channel';
import { ApiApp, startApiApp } from './support/api-app';
import { waitFor } from './support/processes';
import { ReceivedMail, SmtpSink, startSmtpSink } from './support/smtp-sink';
import { SlackSink, startSlackSink } from './support/stand-ins';

const SECRET = 'accounts-e2e-secret-accounts-e2e-01';
const PUBLIC_URL = 'http://127.0.0.1';
const STATES: JobType[] = ['waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed'];

/**
 * Confirmation emails from request to mailbox: the api in-process, the notifier's real module consuming its
 * queue, a real SMTP server. The daily cap per address lives in the notifier now, so it limits emails whatever
 * the api was asked, and an address change needs a click from both mailboxes.
 */
describe('subscriber accounts (api, notifier, SMTP)', () => {
  let smtp: SmtpSink;
  let slack: SlackSink;
  let api: ApiApp;
  let notifier: INestApplicationContext;
  let notify: Queue;
  let client = 0;

  beforeAll(async () => {
    [smtp, slack] = await Promise.all([startSmtpSink(), startSlackSink()]);
    api = await startApiApp('accounts-e2e', {
      APP_SECRET: SECRET,
      PUBLIC_URL,
      SMTP_URL: smtp.url,
      TRUST_PROXY: 'true',
      SUBSCRIBE_RATE_LIMIT: '1000',
      ALLOW_PRIVATE_TARGETS: 'false',
      LOG_LEVEL: 'silent',
    });
    // The notifier reads the same environment (startApiApp set it) and works the api's queue.
    const moduleRef = await Test.createTestingModule({ imports: [NotifierModule] }).compile();
    moduleRef.useLogger(false);
    notifier = await moduleRef.init();
    notify = api.queue('notify');
  }, 60_000);

  afterAll(async () => {
    await notifier?.close();
    await api?.close();
    await Promise.all([smtp?.close(), slack?.close()]);
  });

  const from = (): string => `198.51.100.${(client += 1) % 250}`;
  const subscribe = (body: object) => api.http().post('/api/subscriptions').set('x-forwarded-for', from()).send(body);
  const feedOnly = async (): Promise<{ id: string; manageUrl: string }> => {
    const response = await subscribe({ topics: ['llm'] });
    expect(response.status).toBe(202);
    return response.body as { id: string; manageUrl: string };
  };
  const changeEmail = async (manageUrl: string, email: string): Promise<void> => {
    const link = new URL(manageUrl);
    const path = `/api/subscriptions/${link.searchParams.get('id')}?token=${encodeURIComponent(link.searchParams.get('token') as string)}`;
    const response = await api.http().patch(path).set('x-forwarded-for', from()).send({ email });
    expect(response.status).toBe(200);
  };
  const mailsTo = (address: string): ReceivedMail[] => smtp.mails.filter((mail) => mail.to.includes(address));
  /** Waits until every confirmation job queued so far has run (none waiting, active or retrying). */
  const confirmationsSettled = (): Promise<true> =>
    waitFor('the confirmation jobs to run', async () => {
      const jobs = (await notify.getJobs(STATES)).filter((job: Job) => job.name === 'ConfirmationSend');
      const states = await Promise.all(jobs.map((job) => job.getState()));
      return jobs.length > 0 && states.every((state) => state === 'completed') ? true : undefined;
    });
  const linkIn = (mail: ReceivedMail): string => {
    const url = /http:\/\/127\.0\.0\.1(\/subscriptions\/[^\s"]+)/.exec(mail.parsed.text ?? '')?.[1];
    expect(url).toBeDefined();
    return url as string;
  };

  it('should send an address at most three confirmation emails a day, however many subscriptions ask', async () => {
    const subscriptions = await Promise.all([feedOnly(), feedOnly(), feedOnly(), feedOnly()]);
    for (const subscription of subscriptions) {
      await changeEmail(subscription.manageUrl, 'victim@example.org');
    }
    await confirmationsSettled();

    expect(mailsTo('victim@example.org')).toHaveLength(3);
  });

  it('should not lock an address out after strangers asked for it: the owner confirms with their own choices', async () => {
    for (let i = 0; i < 3; i += 1) {
      expect((await subscribe({ email: 'stranger@example.org', topics: ['rl'] })).status).toBe(202);
    }
    await confirmationsSettled();
    const [first] = mailsTo('stranger@example.org');
    expect(first).toBeDefined();

    // The owner asks later, with other choices: the same answer, and an email already received confirms them.
    expect((await subscribe({ email: 'Stranger@Example.org', topics: ['llm'] })).status).toBe(202);
    const confirmed = await api.http().get(linkIn(first));

    expect(confirmed.status).toBe(200);
    const { rows } = await api.sql.query(`SELECT status, topics FROM subscriptions WHERE email = 'stranger@example.org'`);
    expect(rows).toEqual([{ status: 'active', topics: ['llm'] }]);
  });

  it('should move the digests to a new address only once both mailboxes clicked their link', async () => {
    const subscription = await feedOnly();
    await api.sql.query(`UPDATE subscriptions SET email = 'current@example.org' WHERE id = $1`, [subscription.id]);

    await changeEmail(subscription.manageUrl, 'new@example.org');
    await waitFor('both emails', () => Promise.resolve(mailsTo('new@example.org').length + mailsTo('current@example.org').length === 2));

    const [toNew] = mailsTo('new@example.org');
    const [toCurrent] = mailsTo('current@example.org');
    expect(toCurrent.parsed.subject).toBe('Paperboy: approve the new address of your digest');
    expect(toCurrent.parsed.text).toContain('new@example.org');
    const addressOf = async () =>
      (await api.sql.query(`SELECT email FROM subscriptions WHERE id = $1`, [subscription.id])).rows[0] as { email: string };

    expect((await api.http().get(linkIn(toNew))).text).toContain('One more click');
    expect(await addressOf()).toEqual({ email: 'current@example.org' });
    expect((await api.http().get(linkIn(toCurrent))).status).toBe(200);
    expect(await addressOf()).toEqual({ email: 'new@example.org' });
  });

  it('should fail a Slack target the SSRF guard blocks for good, without a request reaching it', async () => {
    const error = (await notifier
      .get(SlackChannel)
      .sendText(slack.webhookUrl, 'hello')
      .catch((caught: unknown) => caught)) as Error;

    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toMatch(/^Slack webhook not sent: POST http:\/\/127\.0\.0\.1:\d+\/: .*loopback address/);
    expect(error.message).not.toContain('demo-secret');
    expect(slack.messages).toHaveLength(0);
  });
});
