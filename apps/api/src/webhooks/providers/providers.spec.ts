import { BadRequestException, UnauthorizedException } from '@nestjs/common';
import { execFileSync } from 'node:child_process';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMailgun } from './mailgun';
import { instantOf } from './provider-event';
import { readPostmark, verifyPostmark } from './postmark';
import { readSendgrid, verifySendgrid } from './sendgrid';
import {
  readSesNotification,
  SnsMessage,
  snsStringToSign,
  snsUrlProblem,
  verifySnsFreshness,
  verifySnsSignature,
} from './ses-sns';

const now = new Date('2026-11-18T10:30:00Z');

/** The messages of the 400 a call throws. */
function refusal(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    return ((error as BadRequestException).getResponse() as { message: unknown }).message;
  }
  throw new Error('no 400 was thrown');
}

const snsNotification = (message: unknown): SnsMessage => ({
  Type: 'Notification',
  MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
  TopicArn: 'arn:aws:sns:us-west-2:123456789012:MyTopic',
  Message: JSON.stringify(message),
  Timestamp: '2012-05-02T00:54:06.655Z',
  SignatureVersion: '1',
  Signature: 'c2lnbmF0dXJl',
  SigningCertURL: 'https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem',
});

describe('mail webhook providers', () => {
  describe('SNS URLs', () => {
    it.each([
      ['https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ec.pem', null],
      ['https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-f3ec.pem', null],
      ['https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-f3ec.pem', null],
      ['https://sns.s3-us-west-2.amazonaws.com/cert.pem', 'must be on an sns.<region>.amazonaws.com host'],
      ['https://sns.s3-website-us-east-1.amazonaws.com/cert.pem', 'must be on an sns.<region>.amazonaws.com host'],
      ['http://sns.us-west-2.amazonaws.com/cert.pem', 'must be https'],
      [
        'https://sns.us-west-2.amazonaws.com.attacker.example/cert.pem',
        'must be on an sns.<region>.amazonaws.com host',
      ],
      [
        'https://attacker.example/sns.us-west-2.amazonaws.com/cert.pem',
        'must be on an sns.<region>.amazonaws.com host',
      ],
      ['https://sns.us-west-2.amazonaws.com:8443/cert.pem', 'must be on an sns.<region>.amazonaws.com host'],
      ['https://user@sns.us-west-2.amazonaws.com/cert.pem', 'must be on an sns.<region>.amazonaws.com host'],
      ['https://s3.amazonaws.com/cert.pem', 'must be on an sns.<region>.amazonaws.com host'],
      ['not a url', 'is not a URL'],
    ])('%s → %s', (url, problem) => {
      expect(snsUrlProblem(url)).toBe(problem);
    });

    it('should take the test host only as given, port included', () => {
      expect(snsUrlProblem('https://127.0.0.1:8443/cert.pem', '127.0.0.1:8443')).toBeNull();
      expect(snsUrlProblem('https://127.0.0.1:8444/cert.pem', '127.0.0.1:8443')).not.toBeNull();
      expect(snsUrlProblem('http://127.0.0.1:8443/cert.pem', '127.0.0.1:8443')).toBe('must be https');
    });
  });

  it.each([
    ['an ISO instant', '2026-11-18T10:00:00.000Z', '2026-11-18T10:00:00.000Z'],
    ['Unix seconds', 1_795_000_000, '2026-11-18T11:06:40.000Z'],
    ['a year before any mail', '-271821-04-20T00:00:00Z', null],
    ['a year beyond 9999', '+275760-09-13T00:00:00.000Z', null],
    ['seconds beyond what Postgres stores', 8.64e12, null],
    ['no instant', 'yesterday-ish', null],
  ])('should read %s as an instant Postgres can store, or as none', (_what, value, expected) => {
    expect(instantOf(value)?.toISOString() ?? null).toBe(expected);
  });

  it('should refuse a NUL character in a field, naming it (Postgres cannot store one)', () => {
    expect(
      refusal(() =>
        readPostmark(
          '{"RecordType":"Bounce","ID":"7","Type":"HardBounce","Email":"a@example.org","Details":"x\\u0000"}',
        ),
      ),
    ).toEqual(['Details must not contain a NUL character']);
    expect(
      refusal(() => readSendgrid('[{"event":"bounce","sg_event_id":"e\\u0000","email":"a@example.org"}]')),
    ).toEqual(['[0].sg_event_id must not contain a NUL character']);
  });

  it.each([
    ['signed now', 0, true],
    ['an hour old (SNS still retrying)', 60 * 60_000, true],
    ['two hours old', 2 * 60 * 60_000, false],
    ['five minutes ahead of our clock', -5 * 60_000, true],
    ['an hour ahead of our clock', -60 * 60_000, false],
  ])('should take an SNS message %s: %s', (_what, ageMs, taken) => {
    const message = { ...snsNotification({}), Timestamp: new Date(now.getTime() - ageMs).toISOString() };
    const check = () => verifySnsFreshness(message, now);
    if (taken) {
      expect(check).not.toThrow();
    } else {
      expect(check).toThrow(UnauthorizedException);
    }
  });

  it('should refuse an SNS message whose Timestamp is no instant', () => {
    expect(() => verifySnsFreshness({ ...snsNotification({}), Timestamp: 'yesterday' }, now)).toThrow(
      UnauthorizedException,
    );
  });

  it('should sign the fields SNS documents, in their order, leaving out a missing Subject', () => {
    const message = snsNotification({ notificationType: 'Delivery' });
    expect(snsStringToSign(message)).toBe(
      `Message\n${message.Message}\nMessageId\n${message.MessageId}\nTimestamp\n${message.Timestamp}\n` +
        `TopicArn\n${message.TopicArn}\nType\nNotification\n`,
    );
    expect(snsStringToSign({ ...message, Subject: 'Hi' })).toContain(
      'MessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\nSubject\nHi\nTimestamp\n',
    );
  });

  it('should read one event per bounced recipient, keyed by the feedback id, skipping what is no address', () => {
    const read = readSesNotification(
      snsNotification({
        notificationType: 'Bounce',
        bounce: {
          bounceType: 'Permanent',
          bounceSubType: 'Suppressed',
          feedbackId: 'fb-1',
          timestamp: '2026-11-18T10:00:00.000Z',
          bouncedRecipients: [
            { emailAddress: 'One@Example.org', status: '5.1.1' },
            { emailAddress: 'two@example.org', diagnosticCode: 'smtp; 550 no such user' },
            { emailAddress: '"quoted"@example.org' },
          ],
        },
      }),
    );
    expect(read).toEqual({
      ignored: 1,
      events: [
        { eventId: 'fb-1/one@example.org', kind: 'hard-bounce', email: 'one@example.org', reason: 'Permanent/Suppressed: 5.1.1', occurredAt: new Date('2026-11-18T10:00:00.000Z') },
        { eventId: 'fb-1/two@example.org', kind: 'hard-bounce', email: 'two@example.org', reason: 'Permanent/Suppressed: smtp; 550 no such user', occurredAt: new Date('2026-11-18T10:00:00.000Z') },
      ],
    }); // prettier-ignore
    expect(readSesNotification(snsNotification({ notificationType: 'Delivery', delivery: {} }))).toEqual({
      events: [],
      ignored: 1,
    });
    expect(refusal(() => readSesNotification(snsNotification({ bounce: {} })))).toEqual([
      'Message.notificationType (or eventType) must be a non-empty string',
    ]);
  });

  it('should take Postmark basic auth only with the exact credentials', () => {
    const header = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;
    expect(() => verifyPostmark(header('pm:secret-secret-secret'), 'pm', 'secret-secret-secret')).not.toThrow();
    for (const given of [
      undefined,
      'Bearer x',
      header('pm:secret-secret-secreT'),
      header('pm:secret-secret-secret:x'),
      header('pm'),
    ]) {
      expect(() => verifyPostmark(given, 'pm', 'secret-secret-secret')).toThrow(UnauthorizedException);
    }
  });

  it('should read Postmark delivery records as nothing to act on', () => {
    expect(readPostmark('{"RecordType":"Delivery","ID":1,"Email":"a@example.org"}')).toEqual({
      events: [],
      ignored: 1,
    });
  });

  it('should read SendGrid dropped, deferred and open events as nothing to act on, and refuse a non-array', () => {
    const body = JSON.stringify(
      ['dropped', 'deferred', 'open'].map((event, index) => ({
        event,
        email: 'a@example.org',
        sg_event_id: `e${index}`,
      })),
    );
    expect(readSendgrid(body)).toEqual({ events: [], ignored: 3 });
    expect(refusal(() => readSendgrid('{"event":"bounce"}'))).toEqual([
      'The SendGrid webhook body must be a JSON array of events',
    ]);
  });

  it('should answer 401, not throw, for a key that cannot verify the digest (an Ed25519 certificate or key)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'paperboy-ed25519-'));
    try {
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'ed25519', '-nodes', '-days', '1', '-subj', '/CN=sns.amazonaws.com',
        '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'),
      ], { stdio: 'ignore' }); // prettier-ignore
      const pem = readFileSync(join(dir, 'c.pem'), 'utf8');
      expect(() => verifySnsSignature(snsNotification({}), pem)).toThrow(UnauthorizedException);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const headers = {
      'x-twilio-email-event-webhook-signature': 'c2lnbmF0dXJl',
      'x-twilio-email-event-webhook-timestamp': String(now.getTime() / 1000),
    };
    const ed25519 = generateKeyPairSync('ed25519').publicKey;
    expect(() => verifySendgrid(ed25519, headers, '[]', now)).toThrow(UnauthorizedException);
  });

  it('should compare the Mailgun signature to the HMAC of timestamp and token under the signing key', () => {
    const key = 'mailgun-key-0123456789abcdef';
    const timestamp = String(now.getTime() / 1000);
    const token = 'a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0';
    const body = (signature: string) =>
      JSON.stringify({
        signature: { timestamp, token, signature },
        'event-data': { event: 'complained', id: 'c1', recipient: 'a@example.org', timestamp: now.getTime() / 1000 },
      });
    const good = createHmac('sha256', key)
      .update(timestamp + token)
      .digest('hex');
    expect(readMailgun(body(good), key, now).events).toEqual([
      expect.objectContaining({ eventId: 'c1', kind: 'complaint', email: 'a@example.org' }),
    ]);
    expect(() => readMailgun(body(good.replace(/.$/, good.endsWith('0') ? '1' : '0')), key, now)).toThrow(
      UnauthorizedException,
    );
    const swapped = createHmac('sha256', key)
      .update(token + timestamp)
      .digest('hex');
    expect(() => readMailgun(body(swapped), key, now)).toThrow(UnauthorizedException);
  });
});
