import { PermanentError } from '@libs/domain';
import { loadSettings } from '@libs/config';
import { SmtpSink, startSmtpSink } from '../../../test/support/smtp-sink';
import { MailClient } from './mail-client';

/** The one SMTP client, against a real SMTP server in the test process. */
describe('MailClient recipients', () => {
  let sink: SmtpSink;
  let client: MailClient;

  beforeAll(async () => {
    sink = await startSmtpSink();
    client = new MailClient(loadSettings({ SMTP_URL: sink.url, MAIL_FROM: 'Paperboy <digest@paperboy.test>' }));
  });

  afterAll(async () => {
    client?.onModuleDestroy();
    await sink?.close();
  });

  beforeEach(() => {
    sink.mails.length = 0;
  });

  const mail = (to: string) => ({ to, subject: 'Hello', text: 'Hello', html: '<p>Hello</p>', messageId: '<t@paperboy.test>' });

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
