import { execFileSync } from 'node:child_process';
import { createHmac, generateKeyPairSync, KeyObject, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MailEvent, MailEventKind, MailEventRepository } from '@libs/database';
import { ApiApp, startApiApp } from '../../../../test/support/api-app';
import { testInstant } from '../../../../test/support/test-clock';

const ADMIN = 'webhooks-admin-token-0123456789';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:paperboy-ses-events';
const POSTMARK_USER = 'postmark';
const POSTMARK_PASSWORD = 'postmark-webhook-password-0123';
const MAILGUN_KEY = 'key-mailgun-signing-0123456789abcdef';

interface SubscriptionState {
  status: string;
  emailSuppressedAt: Date | null;
  unsubscribedAt: Date | null;
}

/** Keys and certificates of the test's own: a TLS certificate for the loopback SNS stand-in, SNS's signing one. */
interface Keys {
  dir: string;
  tlsKey: string;
  tlsCert: string;
  caFile: string;
  snsKey: string;
  snsCert: string;
  /** Another signing key: what a forger holds. */
  otherKey: string;
}

function makeKeys(): Keys {
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-sns-'));
  const pair = (name: string, subject: string, extra: string[] = []): { key: string; cert: string } => {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
      '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.crt`), '-subj', subject, ...extra,
    ], { stdio: 'ignore' }); // prettier-ignore
    return {
      key: readFileSync(join(dir, `${name}.key`), 'utf8'),
      cert: readFileSync(join(dir, `${name}.crt`), 'utf8'),
    };
  };
  const tls = pair('tls', '/CN=127.0.0.1', ['-addext', 'subjectAltName=IP:127.0.0.1']);
  const sns = pair('sns', '/CN=sns.amazonaws.com');
  const other = pair('other', '/CN=sns.amazonaws.com');
  return {
    dir,
    tlsKey: tls.key,
    tlsCert: tls.cert,
    caFile: join(dir, 'tls.crt'),
    snsKey: sns.key,
    snsCert: sns.cert,
    otherKey: other.key,
  };
}

/**
 * SNS's side, on loopback https: the signing certificate at /SimpleNotificationService-test.pem and the
 * SubscribeURL's confirmation. Counts what it is asked.
 */
interface SnsStandIn {
  host: string;
  certificateGets: number;
  confirmations: string[];
  close(): Promise<void>;
}

async function startSnsStandIn(keys: Keys): Promise<SnsStandIn> {
  const standIn: SnsStandIn = { host: '', certificateGets: 0, confirmations: [], close: () => Promise.resolve() };
  const server: Server = createServer({ key: keys.tlsKey, cert: keys.tlsCert }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://stand-in');
    if (url.pathname === '/SimpleNotificationService-test.pem') {
      standIn.certificateGets += 1;
      res.writeHead(200, { 'content-type': 'application/x-pem-file' });
      res.end(keys.snsCert);
      return;
    }
    if (url.searchParams.get('Action') === 'ConfirmSubscription') {
      standIn.confirmations.push(url.searchParams.get('Token') ?? '');
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(
        '<ConfirmSubscriptionResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ConfirmSubscriptionResult>' +
          `<SubscriptionArn>${TOPIC}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55</SubscriptionArn>` +
          '</ConfirmSubscriptionResult></ConfirmSubscriptionResponse>',
      );
      return;
    }
    if (url.pathname === '/SimpleNotificationService-busy.pem') {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('Service Unavailable');
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  standIn.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  standIn.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return standIn;
}

/** The text SNS signs, as its documentation lists it (written here independently of the code under test). */
function snsSigned(message: Record<string, string>): string {
  const keys =
    message.Type === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return keys
    .filter((key) => key in message)
    .map((key) => `${key}\n${message[key]}\n`)
    .join('');
}

/** Bounce and complaint webhooks of each provider, through HTTP, against real Postgres and a loopback SNS. */
describe('api mail webhooks (integration)', () => {
  let keys: Keys;
  let sns: SnsStandIn;
  let api: ApiApp;
  let sendgrid: { privateKey: KeyObject; publicKey: KeyObject };
  const now = testInstant();

  beforeAll(async () => {
    keys = makeKeys();
    sns = await startSnsStandIn(keys);
    sendgrid = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    api = await startApiApp(
      'api_mail_webhooks',
      {
        NODE_ENV: 'test',
        CLOCK_START: now.toISOString(),
        APP_SECRET: 'webhooks-secret-webhooks-secret-0',
        ADMIN_TOKEN: ADMIN,
        MAIL_WEBHOOK_SES_TOPIC_ARNS: TOPIC,
        MAIL_WEBHOOK_SNS_TEST_HOST: sns.host,
        MAIL_WEBHOOK_SNS_TEST_CA: keys.caFile,
        MAIL_WEBHOOK_POSTMARK_USER: POSTMARK_USER,
        MAIL_WEBHOOK_POSTMARK_PASSWORD: POSTMARK_PASSWORD,
        MAIL_WEBHOOK_SENDGRID_PUBLIC_KEY: sendgrid.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
        MAIL_WEBHOOK_MAILGUN_SIGNING_KEY: MAILGUN_KEY,
      },
      { logLevels: ['error'] },
    );
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await sns?.close();
    rmSync(keys.dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    await api.sql.query('TRUNCATE subscriptions, mail_events CASCADE');
  });

  const post = (provider: string, body: string, headers: Record<string, string> = {}) =>
    api
      .http()
      .post(`/api/webhooks/mail/${provider}`)
      .set({ 'content-type': 'application/json', ...headers })
      .send(body);

  /** An active email subscription; its id. */
  const subscriber = async (email: string): Promise<string> =>
    (
      await api.sql.query<{ id: string }>(
        `INSERT INTO subscriptions (email, status, topics, frequency, timezone, "sendHour", "activatedAt")
         VALUES ($1, 'active', ARRAY['llm'], 'daily', 'UTC', 8, $2) RETURNING id`,
        [email, now],
      )
    ).rows[0].id;

  const state = async (id: string): Promise<SubscriptionState> =>
    (
      await api.sql.query<SubscriptionState>(
        `SELECT status, "emailSuppressedAt", "unsubscribedAt" FROM subscriptions WHERE id = $1`,
        [id],
      )
    ).rows[0];

  const eventCount = async (): Promise<number> =>
    (await api.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM mail_events')).rows[0].n;

  /** As an address re-confirmed by its reader would be: mail goes to it again. */
  const unsuppress = (id: string) =>
    api.sql.query(
      `UPDATE subscriptions SET "emailSuppressedAt" = NULL, status = 'active', "unsubscribedAt" = NULL WHERE id = $1`,
      [id],
    );

  const messages = (body: unknown): string => [(body as { message: string | string[] }).message].flat().join(' | ');

  /** Replays must change nothing: the test undoes the first effect, replays, and expects it to stay undone. */
  async function expectReplayIgnored(
    send: () => Promise<{ status: number; body: unknown }>,
    id: string,
  ): Promise<void> {
    const events = await eventCount();
    await unsuppress(id);
    const again = await send();
    expect(again.status).toBe(200);
    expect(again.body).toEqual(expect.objectContaining({ recorded: 0, subscriptionsAffected: 0 }));
    expect(await state(id)).toEqual({ status: 'active', emailSuppressedAt: null, unsubscribedAt: null });
    expect(await eventCount()).toBe(events);
  }

  describe('Amazon SES through SNS', () => {
    const certUrl = () => `https://${sns.host}/SimpleNotificationService-test.pem`;

    const snsMessage = (
      fields: Record<string, string>,
      options: { key?: string; version?: '1' | '2'; certUrl?: string } = {},
    ): Record<string, string> => {
      const version = options.version ?? '1';
      const message: Record<string, string> = {
        MessageId: `0000${randomBytes(8).toString('hex')}`,
        TopicArn: TOPIC,
        Timestamp: now.toISOString(),
        ...fields,
      };
      const signature = sign(
        version === '1' ? 'sha1' : 'sha256',
        Buffer.from(snsSigned(message)),
        options.key ?? keys.snsKey,
      ).toString('base64');
      return {
        ...message,
        SignatureVersion: version,
        Signature: signature,
        SigningCertURL: options.certUrl ?? certUrl(),
        UnsubscribeURL: `https://${sns.host}/?Action=Unsubscribe&SubscriptionArn=${TOPIC}:x`,
      };
    };

    /** SNS posts JSON as text/plain. */
    const postSns = (message: Record<string, string>) =>
      post('ses', JSON.stringify(message), {
        'content-type': 'text/plain; charset=UTF-8',
        'x-amz-sns-message-type': message.Type,
      });

    const bounceNotification = (email: string, bounceType = 'Permanent', feedbackId = randomBytes(8).toString('hex')) =>
      ({
        Type: 'Notification',
        Message: JSON.stringify({
          notificationType: 'Bounce',
          bounce: {
            bounceType,
            bounceSubType: 'General',
            bouncedRecipients: [
              {
                emailAddress: email,
                action: 'failed',
                status: '5.1.1',
                diagnosticCode: 'smtp; 550 5.1.1 user unknown',
              },
            ],
            timestamp: now.toISOString(),
            feedbackId,
            remoteMtaIp: '127.0.2.0',
            reportingMTA: 'dsn; a27-33.smtp-out.us-west-2.amazonses.com',
          },
          mail: {
            timestamp: now.toISOString(),
            source: 'digest@paperboy.test',
            messageId: '0000014644fe5ef6-9a483358-9170-4cb4-a269-f5dcdf415321-000000',
            destination: [email],
          },
        }),
      }) as Record<string, string>;

    it('should confirm a signed SubscriptionConfirmation by visiting its SubscribeURL on the SNS host', async () => {
      const token = randomBytes(16).toString('hex');
      const message = snsMessage({
        Type: 'SubscriptionConfirmation',
        Token: token,
        Message: `You have chosen to subscribe to the topic ${TOPIC}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
        SubscribeURL: `https://${sns.host}/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=${token}`,
      });

      const response = await postSns(message);

      expect(response.status).toBe(200);
      expect(response.body).toEqual(expect.objectContaining({ provider: 'ses', confirmed: true, events: 0 }));
      expect(sns.confirmations).toContain(token);
    });

    it('should refuse a SubscribeURL off the SNS hosts, and a forged confirmation, without visiting anything', async () => {
      const visited = sns.confirmations.length;
      const token = randomBytes(16).toString('hex');
      const elsewhere = snsMessage({
        Type: 'SubscriptionConfirmation',
        Token: token,
        Message: 'confirm',
        SubscribeURL: `https://sns.eu-west-1.amazonaws.com.attacker.example/?Action=ConfirmSubscription&Token=${token}`,
      });
      const offHost = await postSns(elsewhere);
      expect(offHost.status).toBe(401);
      expect(messages(offHost.body)).toMatch(/SubscribeURL must be on an sns.<region>.amazonaws.com host/);

      const forgedConfirmation = { ...snsMessage({ Type: 'SubscriptionConfirmation', Token: token, Message: 'confirm', SubscribeURL: `https://${sns.host}/?Action=ConfirmSubscription&Token=${token}` }), Token: 'changed' }; // prettier-ignore
      expect((await postSns(forgedConfirmation)).status).toBe(401);
      expect(sns.confirmations).toHaveLength(visited);
    });

    it('should suppress a permanently bounced address, with the reason in the admin delivery log, once', async () => {
      const id = await subscriber('gone@example.org');
      const other = await subscriber('stays@example.org');
      const message = snsMessage(bounceNotification('Gone@Example.org'));

      const response = await postSns(message);

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ provider: 'ses', events: 1, recorded: 1, subscriptionsAffected: 1, ignored: 0 });
      const suppressed = await state(id);
      expect(suppressed.status).toBe('active');
      expect(suppressed.emailSuppressedAt).not.toBeNull();
      expect((await state(other)).emailSuppressedAt).toBeNull();
      const log = await api
        .http()
        .get(`/api/admin/subscriptions/${id}/deliveries`)
        .set('authorization', `Bearer ${ADMIN}`);
      expect(log.status).toBe(200);
      expect(log.body).toEqual(
        expect.objectContaining({
          emailSuppressedAt: suppressed.emailSuppressedAt?.toISOString(),
          mailEvents: [
            expect.objectContaining({
              provider: 'ses',
              kind: 'hard-bounce',
              reason: 'Permanent/General: smtp; 550 5.1.1 user unknown',
            }),
          ],
        }),
      );

      await expectReplayIgnored(() => postSns(message), id);
    });

    it('should unsubscribe at once on a complaint (SignatureVersion 2), and only record transient bounces as ignored', async () => {
      const id = await subscriber('annoyed@example.org');
      const complaint = snsMessage(
        {
          Type: 'Notification',
          Subject: 'Amazon SES Email Event Notification',
          Message: JSON.stringify({
            eventType: 'Complaint',
            complaint: {
              complainedRecipients: [{ emailAddress: 'annoyed@example.org' }],
              timestamp: now.toISOString(),
              feedbackId: '0000013786031775-fea503bc-7497-49e1-881b-a0379bb037d3-000000',
              complaintFeedbackType: 'abuse',
            },
            mail: {
              timestamp: now.toISOString(),
              source: 'digest@paperboy.test',
              destination: ['annoyed@example.org'],
            },
          }),
        },
        { version: '2' },
      );

      const response = await postSns(complaint);

      expect(response.body).toEqual(expect.objectContaining({ recorded: 1, subscriptionsAffected: 1 }));
      expect(await state(id)).toEqual(
        expect.objectContaining({
          status: 'unsubscribed',
          emailSuppressedAt: expect.any(Date),
          unsubscribedAt: expect.any(Date),
        }),
      );
      await expectReplayIgnored(() => postSns(complaint), id);

      const soft = await postSns(snsMessage(bounceNotification('annoyed@example.org', 'Transient')));
      expect(soft.body).toEqual(expect.objectContaining({ events: 0, recorded: 0, ignored: 1 }));
      expect((await state(id)).emailSuppressedAt).toBeNull();
    });

    it('should answer 401 to a forged signature or a certificate off the SNS hosts, and 403 to another topic, changing nothing', async () => {
      const id = await subscriber('target@example.org');
      const tampered = { ...snsMessage(bounceNotification('someone@example.org')) };
      tampered.Message = bounceNotification('target@example.org').Message;
      const forgersKey = snsMessage(bounceNotification('target@example.org'), { key: keys.otherKey });
      const offHost = snsMessage(bounceNotification('target@example.org'), {
        certUrl: 'https://sns.eu-west-1.amazonaws.com.attacker.example/cert.pem',
      });
      const plainHttp = snsMessage(bounceNotification('target@example.org'), {
        certUrl: 'http://sns.eu-west-1.amazonaws.com/cert.pem',
      });

      for (const message of [tampered, forgersKey, offHost, plainHttp]) {
        const response = await postSns(message);
        expect(response.status).toBe(401);
      }
      const wrongTopic = snsMessage({ ...bounceNotification('target@example.org'), TopicArn: `${TOPIC}-other` });
      expect((await postSns(wrongTopic)).status).toBe(403);
      expect(messages((await postSns(offHost)).body)).toMatch(
        /SigningCertURL must be on an sns.<region>.amazonaws.com host/,
      );
      expect((await state(id)).emailSuppressedAt).toBeNull();
      expect(await eventCount()).toBe(0);
    });

    it('should answer 401 to a genuine message posted again after SNS would have stopped retrying it', async () => {
      const id = await subscriber('replayed@example.org');
      const twoHoursAgo = new Date(now.getTime() - 2 * 60 * 60_000).toISOString();
      const captured = snsMessage({ ...bounceNotification('replayed@example.org'), Timestamp: twoHoursAgo });

      const response = await postSns(captured);

      expect(response.status).toBe(401);
      expect(messages(response.body)).toMatch(/Timestamp .* is too old or ahead of our clock/);
      expect((await state(id)).emailSuppressedAt).toBeNull();
      expect(await eventCount()).toBe(0);
    });

    it('should answer 503 when SNS cannot serve its certificate, so SNS delivers the message again', async () => {
      const id = await subscriber('busy@example.org');
      const busy = `https://${sns.host}/SimpleNotificationService-busy.pem`;
      const response = await postSns(snsMessage(bounceNotification('busy@example.org'), { certUrl: busy }));
      expect(response.status).toBe(503);
      expect((await state(id)).emailSuppressedAt).toBeNull();
      // A certificate that is not there is no SNS trouble: refused.
      const missing = `https://${sns.host}/SimpleNotificationService-missing.pem`;
      expect((await postSns(snsMessage(bounceNotification('busy@example.org'), { certUrl: missing }))).status).toBe(
        401,
      );
    });

    it('should fetch each signing certificate once', async () => {
      await subscriber('cached@example.org');
      const before = sns.certificateGets;
      for (let index = 0; index < 3; index += 1) {
        expect((await postSns(snsMessage(bounceNotification('cached@example.org')))).status).toBe(200);
      }
      // The certificate was fetched by an earlier test or the first of these; never again.
      expect(sns.certificateGets - before).toBeLessThanOrEqual(1);
    });

    it('should answer 400 naming what is wrong with a malformed message', async () => {
      const notJson = await post('ses', 'not json', { 'content-type': 'text/plain' });
      expect(notJson.status).toBe(400);
      expect(messages(notJson.body)).toBe('The SNS message is not JSON');

      const { Signature: _dropped, ...unsigned } = snsMessage(bounceNotification('x@example.org'));
      const missing = await postSns(unsigned);
      expect(missing.status).toBe(400);
      expect(messages(missing.body)).toBe('body.Signature must be a non-empty string');

      const badInner = await postSns(snsMessage({ Type: 'Notification', Message: '{"notificationType":"Bounce"}' }));
      expect(badInner.status).toBe(400);
      expect(messages(badInner.body)).toBe('Message.bounce.bouncedRecipients must be an array');
    });
  });

  describe('Postmark', () => {
    const basic = (user: string, password: string) => ({
      authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
    });
    const authorised = basic(POSTMARK_USER, POSTMARK_PASSWORD);
    /** Postmark's documented bounce webhook, with an ID beyond 2^53 as Postmark's example has. */
    const bounce = (email: string, id: string, type = 'HardBounce') =>
      `{"RecordType":"Bounce","MessageStream":"outbound","ID":${id},"Type":"${type}","TypeCode":1,` +
      `"Name":"Hard bounce","Tag":"digest","MessageID":"883953f4-6105-42a2-a16a-77a8eac79483","Metadata":{},` +
      `"ServerID":23,"Description":"The server was unable to deliver your message (ex: unknown user, mailbox not found).",` +
      `"Details":"smtp;550 5.1.1 The email account that you tried to reach does not exist.","Email":"${email}",` +
      `"From":"digest@paperboy.test","BouncedAt":"${now.toISOString()}","DumpAvailable":true,"Inactive":true,` +
      `"CanActivate":true,"Subject":"Your digest","Content":""}`;

    it('should answer 401 without the basic-auth credentials or with others', async () => {
      const id = await subscriber('pm@example.org');
      expect((await post('postmark', bounce('pm@example.org', '1'))).status).toBe(401);
      expect(
        (await post('postmark', bounce('pm@example.org', '1'), basic(POSTMARK_USER, 'guessed-password-0123'))).status,
      ).toBe(401);
      expect((await state(id)).emailSuppressedAt).toBeNull();
      expect(await eventCount()).toBe(0);
    });

    it('should suppress on a hard bounce once, telling apart IDs a JavaScript number cannot', async () => {
      const id = await subscriber('pm-gone@example.org');
      const first = () => post('postmark', bounce('pm-gone@example.org', '4323372036854775807'), authorised);

      const response = await first();

      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        provider: 'postmark',
        events: 1,
        recorded: 1,
        subscriptionsAffected: 1,
        ignored: 0,
      });
      expect((await state(id)).emailSuppressedAt).not.toBeNull();
      await expectReplayIgnored(first, id);
      // Its neighbour is another bounce (both round to the same double).
      const neighbour = await post('postmark', bounce('pm-gone@example.org', '4323372036854775806'), authorised);
      expect(neighbour.body).toEqual(expect.objectContaining({ recorded: 1 }));
      const soft = await post('postmark', bounce('pm-gone@example.org', '77', 'SoftBounce'), authorised);
      expect(soft.body).toEqual(expect.objectContaining({ events: 0, ignored: 1 }));
    });

    it('should unsubscribe on a spam complaint', async () => {
      const id = await subscriber('pm-spam@example.org');
      const complaint =
        '{"RecordType":"SpamComplaint","MessageStream":"outbound","ID":42,"Type":"SpamComplaint","TypeCode":512,' +
        '"Name":"Spam complaint","Tag":"digest","MessageID":"00000000-0000-0000-0000-000000000000","ServerID":1234,' +
        '"Description":"","Details":"Test spam complaint details","Email":"pm-spam@example.org",' +
        `"From":"digest@paperboy.test","BouncedAt":"${now.toISOString()}","DumpAvailable":true,"Inactive":true,` +
        '"CanActivate":false,"Subject":"Your digest","Content":""}';

      const response = await post('postmark', complaint, authorised);

      expect(response.body).toEqual(expect.objectContaining({ recorded: 1, subscriptionsAffected: 1 }));
      expect((await state(id)).status).toBe('unsubscribed');
    });

    it('should take the webhook at its URL with a trailing slash as well', async () => {
      const id = await subscriber('pm-slash@example.org');
      const response = await api
        .http()
        .post('/api/webhooks/mail/postmark/')
        .set({ 'content-type': 'application/json', ...authorised })
        .send(bounce('pm-slash@example.org', '31337'));
      expect(response.status).toBe(200);
      expect(response.body).toEqual(expect.objectContaining({ recorded: 1, subscriptionsAffected: 1 }));
      expect((await state(id)).emailSuppressedAt).not.toBeNull();
    });

    it('should record and apply two identical deliveries arriving at once only once', async () => {
      const id = await subscriber('pm-twice@example.org');
      const body = bounce('pm-twice@example.org', '9001');

      const answers = await Promise.all([1, 2, 3, 4].map(() => post('postmark', body, authorised)));

      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
      const bodies = answers.map((answer) => answer.body as { recorded: number; subscriptionsAffected: number });
      expect(bodies.reduce((sum, answer) => sum + answer.recorded, 0)).toBe(1);
      expect(bodies.reduce((sum, answer) => sum + answer.subscriptionsAffected, 0)).toBe(1);
      expect(await eventCount()).toBe(1);
      expect((await state(id)).emailSuppressedAt).not.toBeNull();
    });

    it.each([
      ['empty', ''],
      ['null', 'null'],
      ['a string', '"Bounce"'],
      ['a number out of range', '1e400'],
      ['deeply nested', `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
      ['wrong types', '{"RecordType":"Bounce","ID":{"a":1},"Type":["HardBounce"],"Email":5}'],
      [
        'an ID that is no number',
        '{"RecordType":"Bounce","ID":"12; DROP","Type":"HardBounce","Email":"a@example.org"}',
      ],
      ['a NUL byte', '{"RecordType":"Bounce","ID":7,"Type":"HardBounce","Email":"a\u0000@example.org"}'],
      ['not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('latin1')],
      ['over 1 MB', `{"RecordType":"Bounce","ID":8,"Type":"HardBounce","Email":"${'a'.repeat(1100_000)}@example.org"}`],
    ])('should answer a 4xx, never a 5xx, to a hostile body (%s), storing nothing', async (_what, body) => {
      const response = await post('postmark', body, authorised);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(await eventCount()).toBe(0);
    });

    it('should store a bounce dated beyond what Postgres holds without its date, not answer 500', async () => {
      const id = await subscriber('pm-far@example.org');
      const far = bounce('pm-far@example.org', '1201').replace(now.toISOString(), '-271821-04-20T00:00:00Z');

      const response = await post('postmark', far, authorised);

      expect(response.status).toBe(200);
      expect(response.body).toEqual(expect.objectContaining({ recorded: 1, subscriptionsAffected: 1 }));
      const stored = await api.sql.query<{ occurredAt: Date | null }>('SELECT "occurredAt" FROM mail_events');
      expect(stored.rows).toEqual([{ occurredAt: null }]);
      expect((await state(id)).emailSuppressedAt).not.toBeNull();
    });

    it('should answer 400 naming what is wrong', async () => {
      const nul = await post(
        'postmark',
        bounce('pm@example.org', '1202').replace('"Details":"', '"Details":"\\u0000'),
        authorised,
      );
      expect(nul.status).toBe(400);
      expect(messages(nul.body)).toBe('Details must not contain a NUL character');
      const array = await post('postmark', '[]', authorised);
      expect(array.status).toBe(400);
      expect(messages(array.body)).toMatch(/must be one JSON object/);
      const noEmail = await post('postmark', '{"RecordType":"Bounce","ID":5,"Type":"HardBounce"}', authorised);
      expect(noEmail.status).toBe(400);
      expect(messages(noEmail.body)).toBe('body.Email must be a non-empty string');
    });
  });

  describe('SendGrid', () => {
    const signed = (body: string, options: { key?: KeyObject; at?: Date } = {}) => {
      const timestamp = String(Math.floor((options.at ?? now).getTime() / 1000));
      const signature = sign('sha256', Buffer.from(timestamp + body), options.key ?? sendgrid.privateKey).toString(
        'base64',
      );
      return {
        'x-twilio-email-event-webhook-signature': signature,
        'x-twilio-email-event-webhook-timestamp': timestamp,
      };
    };
    const unix = Math.floor(now.getTime() / 1000);
    /** SendGrid's documented event shapes: a hard bounce, a block (temporary), a delivery, a spam report. */
    const batch = JSON.stringify([
      { email: 'sg-gone@example.org', timestamp: unix, 'smtp-id': '<14c5d75ce93.dfd.64b469@ismtpd-555>', event: 'bounce', category: 'digest', sg_event_id: '6g4ZI7SA-xmRDv57GoPIPw==', sg_message_id: '14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0', reason: '500 unknown recipient', status: '5.0.0', type: 'bounce' },
      { email: 'sg-blocked@example.org', timestamp: unix, event: 'bounce', sg_event_id: 'blocked-1', sg_message_id: 'm2', reason: '421 try later', status: '4.0.0', type: 'blocked' },
      { email: 'sg-fine@example.org', timestamp: unix, event: 'delivered', sg_event_id: 'delivered-1', sg_message_id: 'm3', response: '250 OK' },
      { email: 'sg-spam@example.org', timestamp: unix, event: 'spamreport', sg_event_id: 'spam-1', sg_message_id: 'm4' },
    ]); // prettier-ignore

    it('should act on the signed batch: a hard bounce suppresses, a spam report unsubscribes, the rest is ignored', async () => {
      const gone = await subscriber('sg-gone@example.org');
      const blocked = await subscriber('sg-blocked@example.org');
      const spam = await subscriber('sg-spam@example.org');

      const response = await post('sendgrid', batch, signed(batch));

      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        provider: 'sendgrid',
        events: 2,
        recorded: 2,
        subscriptionsAffected: 2,
        ignored: 2,
      });
      expect((await state(gone)).emailSuppressedAt).not.toBeNull();
      expect((await state(blocked)).emailSuppressedAt).toBeNull();
      expect((await state(spam)).status).toBe('unsubscribed');
      await expectReplayIgnored(() => post('sendgrid', batch, signed(batch)), gone);
    });

    it('should answer 401 to a forged, tampered, unsigned or stale batch, changing nothing', async () => {
      const id = await subscriber('sg-gone@example.org');
      const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
      const tampered = batch.replace('sg-blocked@example.org', 'sg-gone2@example.org');
      const stale = new Date(now.getTime() - 60 * 60_000);
      for (const [body, headers] of [
        [batch, signed(batch, { key: other })],
        [tampered, signed(batch)],
        [batch, {}],
        [batch, signed(batch, { at: stale })],
      ] as [string, Record<string, string>][]) {
        expect((await post('sendgrid', body, headers)).status).toBe(401);
      }
      expect((await state(id)).emailSuppressedAt).toBeNull();
      expect(await eventCount()).toBe(0);
    });

    it('should answer 400 naming the event that is malformed', async () => {
      const body = JSON.stringify([{ email: 'x@example.org', event: 'bounce', type: 'bounce' }]);
      const response = await post('sendgrid', body, signed(body));
      expect(response.status).toBe(400);
      expect(messages(response.body)).toBe('[0].sg_event_id must be a non-empty string');
    });
  });

  describe('Mailgun', () => {
    const payload = (eventData: Record<string, unknown>, options: { key?: string; at?: Date } = {}): string => {
      const timestamp = String(Math.floor((options.at ?? now).getTime() / 1000));
      const token = randomBytes(25).toString('hex');
      const signature = createHmac('sha256', options.key ?? MAILGUN_KEY)
        .update(timestamp + token)
        .digest('hex');
      return JSON.stringify({ signature: { timestamp, token, signature }, 'event-data': eventData });
    };
    /** Mailgun's documented "failed" event (permanent), trimmed to what matters. */
    const failed = (recipient: string, severity = 'permanent', id = 'G9Bn5sl1TC6nu79C8C0bwg') => ({
      event: 'failed',
      id,
      timestamp: now.getTime() / 1000,
      severity,
      reason: 'bounce',
      recipient,
      'log-level': 'error',
      'delivery-status': {
        code: 550,
        message: '5.1.1 The email account that you tried to reach does not exist.',
        description: '',
        'attempt-no': 1,
      },
      message: {
        headers: {
          to: recipient,
          'message-id': '20130503182626.18666.16540@paperboy.test',
          from: 'digest@paperboy.test',
        },
      },
    });

    it('should suppress on a permanent failure once, ignore a temporary one, and unsubscribe on a complaint', async () => {
      const id = await subscriber('mg-gone@example.org');
      const body = payload(failed('mg-gone@example.org'));

      const response = await post('mailgun', body);

      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        provider: 'mailgun',
        events: 1,
        recorded: 1,
        subscriptionsAffected: 1,
        ignored: 0,
      });
      expect((await state(id)).emailSuppressedAt).not.toBeNull();
      // The same event, signed again (a new token): still the same event id, still no second effect.
      await expectReplayIgnored(() => post('mailgun', payload(failed('mg-gone@example.org'))), id);

      const temporary = await post('mailgun', payload(failed('mg-gone@example.org', 'temporary', 'temp-1')));
      expect(temporary.body).toEqual(expect.objectContaining({ events: 0, ignored: 1 }));

      const complained = await post(
        'mailgun',
        payload({
          event: 'complained',
          id: 'ncV2XwymRUKbPek_MIM-Gw',
          timestamp: now.getTime() / 1000,
          recipient: 'mg-gone@example.org',
        }),
      );
      expect(complained.body).toEqual(expect.objectContaining({ recorded: 1, subscriptionsAffected: 1 }));
      expect((await state(id)).status).toBe('unsubscribed');
    });

    it("should refuse a signature replayed with another event, and take the provider's retry of the same body", async () => {
      const id = await subscriber('mg-victim@example.org');
      const seen = JSON.parse(payload(failed('mg-bounced@example.org', 'permanent', 'seen-1'))) as Record<
        string,
        unknown
      >;
      const original = JSON.stringify(seen);
      expect((await post('mailgun', original)).status).toBe(200);

      // Mailgun signs only its timestamp and token: whoever saw one request could attach them to any event.
      const forgedBody = JSON.stringify({
        ...seen,
        'event-data': failed('mg-victim@example.org', 'permanent', 'forged-1'),
      });
      const forgery = await post('mailgun', forgedBody);
      expect(forgery.status).toBe(401);
      expect(messages(forgery.body)).toBe('This mailgun signature was already used for another body: not taken again');
      expect((await state(id)).emailSuppressedAt).toBeNull();

      const retried = await post('mailgun', original);
      expect(retried.status).toBe(200);
      expect(retried.body).toEqual(expect.objectContaining({ events: 1, recorded: 0 }));
      expect(await eventCount()).toBe(1);
    });

    it('should answer 401 to a wrong signature or a stale one, and 400 to a body without its parts', async () => {
      const id = await subscriber('mg-target@example.org');
      expect(
        (await post('mailgun', payload(failed('mg-target@example.org'), { key: 'key-not-ours-0123456789abcdef' })))
          .status,
      ).toBe(401);
      const stale = payload(failed('mg-target@example.org'), { at: new Date(now.getTime() - 60 * 60_000) });
      expect((await post('mailgun', stale)).status).toBe(401);
      expect((await state(id)).emailSuppressedAt).toBeNull();

      const noEventData = JSON.parse(payload(failed('x@example.org'))) as Record<string, unknown>;
      delete noEventData['event-data'];
      const response = await post('mailgun', JSON.stringify(noEventData));
      expect(response.status).toBe(400);
      expect(messages(response.body)).toBe('event-data must be an object');
    });
  });

  it.each([
    ['ses', '[]'],
    ['ses', '{"Type":"Notification","SignatureVersion":3}'],
    ['ses', '{"Type":["Notification"],"MessageId":1}'],
    [
      'ses',
      `{"Type":"SubscriptionConfirmation","SignatureVersion":"1","MessageId":"m","TopicArn":"${TOPIC}","Message":"x","Timestamp":"t","Signature":"s","SigningCertURL":"https://169.254.169.254/latest/meta-data/"}`,
    ],
    [
      'ses',
      `{"Type":"Notification","SignatureVersion":"1","MessageId":"m","TopicArn":"${TOPIC}","Message":"x","Timestamp":"t","Signature":"s","SigningCertURL":"file:///etc/passwd"}`,
    ],
    ['mailgun', '{"signature":[],"event-data":{}}'],
    ['mailgun', '{"signature":{"timestamp":1,"token":null,"signature":{}}}'],
    ['mailgun', '{"signature":{"timestamp":"1","token":"t","signature":"00"},"event-data":"x"}'],
    ['sendgrid', '[{"event":"bounce"}]'],
  ])('should answer a 4xx, never a 5xx, to a hostile %s body (%s), storing nothing', async (provider, body) => {
    const response = await post(provider, body, { 'content-type': 'text/plain' });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(await eventCount()).toBe(0);
  });

  it("should record a provider's batch in one transaction: all of it or none, replays changing nothing", async () => {
    const events = api.app.get(MailEventRepository);
    const bounced = await subscriber('batch.bounce@example.org');
    const complained = await subscriber('batch.complaint@example.org');
    const event = (eventId: string, kind: MailEventKind, email: string, reason = 'batch'): MailEvent => ({
      provider: 'sendgrid',
      eventId,
      kind,
      email,
      reason,
      occurredAt: now,
    });
    const batch = [
      event('b-1', 'hard-bounce', 'batch.bounce@example.org'),
      event('b-2', 'complaint', 'batch.complaint@example.org'),
    ];

    // Postgres refuses a NUL in text: the last event fails, and the first two are not kept either.
    await expect(
      events.recordBatch([...batch, event('b-3', 'hard-bounce', 'batch.bounce@example.org', 'a\u0000b')], now),
    ).rejects.toThrow();
    expect(await eventCount()).toBe(0);
    expect(await state(bounced)).toEqual({ status: 'active', emailSuppressedAt: null, unsubscribedAt: null });

    expect(await events.recordBatch([...batch, batch[0]], now)).toEqual({ recorded: 2, subscriptionsAffected: 2 });
    expect(await state(bounced)).toEqual({ status: 'active', emailSuppressedAt: now, unsubscribedAt: null });
    expect(await state(complained)).toEqual({ status: 'unsubscribed', emailSuppressedAt: now, unsubscribedAt: now });
    await unsuppress(bounced);
    expect(await events.recordBatch(batch, now)).toEqual({ recorded: 0, subscriptionsAffected: 0 });
    expect(await state(bounced)).toEqual({ status: 'active', emailSuppressedAt: null, unsubscribedAt: null });
    expect(await eventCount()).toBe(2);
  });

  it('should answer 404 for a provider it does not know', async () => {
    expect((await post('sparkpost', '{}')).status).toBe(404);
  });
});

describe('api mail webhooks without their settings (integration)', () => {
  let api: ApiApp;

  beforeAll(async () => {
    api = await startApiApp(
      'api_mail_webhooks_off',
      { APP_SECRET: 'webhooks-secret-webhooks-secret-1' },
      { logLevels: ['error'] },
    );
  }, 60_000);

  afterAll(() => api?.close());

  it.each(['ses', 'postmark', 'sendgrid', 'mailgun'])('should answer 404 for %s', async (provider) => {
    const response = await api
      .http()
      .post(`/api/webhooks/mail/${provider}`)
      .set('content-type', 'application/json')
      .send('[]');
    expect(response.status).toBe(404);
  });
});
