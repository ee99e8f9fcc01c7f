import Redis from 'ioredis';
import { SMTPServer } from 'smtp-server';
import { PermanentError, RetryLaterError } from '@libs/domain';
import { loadSettings } from '@libs/config';
import { SmtpSink, startSmtpSink } from '../../../test/support/smtp-sink';
import { testQueuePrefix } from '../../../test/support/test-database';
import { MailClient, MailRejectedError } from './mail-client';
import { redisKeyPrefix } from '@libs/queues';
import { MailBusyError, MailSendRate, MailSlowDownError } from './send-rate';

/** The one SMTP client, against a real SMTP server in the test process. */
describe('MailClient recipients', () => {
  let sink: SmtpSink;
  let client: MailClient;
  let rate: MailSendRate;

  beforeAll(async () => {
    sink = await startSmtpSink();
    const settings = loadSettings({
      SMTP_URL: sink.url,
      MAIL_FROM: 'Paperboy <digest@paperboy.test>',
      QUEUE_PREFIX: testQueuePrefix('mail-client'),
    });
    rate = new MailSendRate(settings);
    client = new MailClient(settings, rate);
  });

  afterAll(async () => {
    client?.onModuleDestroy();
    rate?.onModuleDestroy();
    await sink?.close();
  });

  beforeEach(() => {
    sink.mails.length = 0;
  });

  const mail = (to: string) => ({
    to,
    subject: 'Hello',
    text: 'Hello',
    html: '<p>Hello</p>',
    messageId: '<t@paperboy.test>',
  });

  it('should send to the one spelling of an address stored in another (case, IDN)', async () => {
    await client.send(mail('Reader@BÜcher.Example'));

    expect(sink.mails).toHaveLength(1);
    // The sink shows the IDN in Unicode again: one lower-case spelling either way.
    expect(sink.mails[0].to).toEqual(['reader@bücher.example']);
  });

  it.each(['"bomb"@example.com', '"a\u0007b"@example.com', 'bomb@example.com\r\nBcc: other@example.org'])(
    'should refuse %j for good without speaking SMTP, and without echoing it',
    async (to) => {
      const error = (await client.send(mail(to)).catch((caught: unknown) => caught)) as Error;

      expect(error).toBeInstanceOf(PermanentError);
      expect(error.message).toMatch(/^Not sent: the recipient address is refused \(email must/);
      expect(error.message).not.toContain('example.com');
      expect(sink.mails).toHaveLength(0);
    },
  );
});

/** The relay's "slow down" answers and the pause they start, shared by every client on the queue prefix. */
describe('MailClient slow-down answers', () => {
  const prefix = testQueuePrefix('mail-slow');
  let server: SMTPServer;
  let url: string;
  let answer: { code: number; message: string } | null = null;
  const clients: { client: MailClient; rate: MailSendRate }[] = [];

  const replica = (extra: Record<string, string> = {}): MailClient => {
    const settings = loadSettings({
      SMTP_URL: url,
      MAIL_FROM: 'Paperboy <digest@paperboy.test>',
      QUEUE_PREFIX: prefix,
      MAIL_SLOW_DOWN_SECONDS: '30',
      ...extra,
    });
    const rate = new MailSendRate(settings);
    const client = new MailClient(settings, rate);
    clients.push({ client, rate });
    return client;
  };

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(_address, _session, callback) {
        callback(answer ? Object.assign(new Error(answer.message), { responseCode: answer.code }) : null);
      },
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => callback());
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `smtp://127.0.0.1:${(server.server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    for (const { client, rate } of clients) {
      client.onModuleDestroy();
      rate.onModuleDestroy();
    }
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    await redis.del(`${redisKeyPrefix(loadSettings({ QUEUE_PREFIX: prefix }), 'mail')}:pause:relay`);
    redis.disconnect();
  });

  const mail = {
    to: 'reader@example.org',
    subject: 'Hi',
    text: 'Hi',
    html: '<p>Hi</p>',
    messageId: '<s@paperboy.test>',
  };

  it.each([
    [421, '4.7.0 Try again later, closing connection'],
    [454, 'Throttling failure: Maximum sending rate exceeded.'],
  ])('should answer %i with a wait, and hold every replica back until the pause is over', async (code, message) => {
    const first = replica();
    const second = replica();
    answer = { code, message };

    const error = (await first.send(mail).catch((caught: unknown) => caught)) as MailSlowDownError;

    expect(error).toBeInstanceOf(MailSlowDownError);
    expect(error).toBeInstanceOf(RetryLaterError);
    expect(error.responseCode).toBe(code);
    expect(error.delayMs).toBe(30_000);
    // The other replica sends nothing while the pause holds: no token, no SMTP, a wait that is not a failure.
    answer = null;
    const waited = (await second.send(mail).catch((caught: unknown) => caught)) as MailBusyError;
    expect(waited).toBeInstanceOf(MailBusyError);
    expect(waited.delayMs).toBeGreaterThan(25_000);
    expect(waited.delayMs).toBeLessThanOrEqual(30_000);
    // The operator (or the pause's end) clears the key: sending resumes.
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    await redis.del(`${redisKeyPrefix(loadSettings({ QUEUE_PREFIX: prefix }), 'mail')}:pause:relay`);
    redis.disconnect();
    await expect(second.send(mail)).resolves.toEqual(expect.objectContaining({ messageId: '<s@paperboy.test>' }));
  });

  it("should not pause for a refusal of the recipient (550): that is the address's fault", async () => {
    const client = replica();
    answer = { code: 550, message: '5.1.1 No such user' };

    await expect(client.send(mail)).rejects.toBeInstanceOf(MailRejectedError);
    answer = null;
    await expect(replica().send(mail)).resolves.toEqual(expect.objectContaining({ messageId: '<s@paperboy.test>' }));
  });
});

/** MAIL_RATE_PER_SECOND and MAIL_RATE_PER_MINUTE, through a real SMTP sink and Redis. */
describe('MailClient rate limits', () => {
  let sink: SmtpSink;
  let rate: MailSendRate;
  let client: MailClient;

  beforeAll(async () => {
    sink = await startSmtpSink();
    const settings = loadSettings({
      SMTP_URL: sink.url,
      MAIL_FROM: 'Paperboy <digest@paperboy.test>',
      QUEUE_PREFIX: testQueuePrefix('mail-rate'),
      MAIL_RATE_PER_SECOND: '1',
      MAIL_RATE_PER_MINUTE: '2',
    });
    rate = new MailSendRate(settings);
    client = new MailClient(settings, rate);
  });

  afterAll(async () => {
    client?.onModuleDestroy();
    rate?.onModuleDestroy();
    await sink?.close();
  });

  const mail = (n: number) => ({
    to: `r${n}@example.org`,
    subject: 'Hi',
    text: 'Hi',
    html: '<p>Hi</p>',
    messageId: `<r${n}@paperboy.test>`,
  });

  it("should wait for the next second's token, and delay the job once the minute's are spent, without speaking SMTP", async () => {
    // Two at once with one token a second: the second waits for the next second instead of failing.
    await Promise.all([client.send(mail(1)), client.send(mail(2))]);
    expect(sink.mails.map((m) => m.to[0]).sort()).toEqual(['r1@example.org', 'r2@example.org']);

    const busy = (await client.send(mail(3)).catch((caught: unknown) => caught)) as MailBusyError;

    expect(busy).toBeInstanceOf(MailBusyError);
    // The minute's bucket fills again within the minute: longer than a send waits, so the job is delayed.
    expect(busy.delayMs).toBeGreaterThan(10_000);
    expect(busy.delayMs).toBeLessThanOrEqual(60_000);
    expect(sink.mails).toHaveLength(2);
  });
});
