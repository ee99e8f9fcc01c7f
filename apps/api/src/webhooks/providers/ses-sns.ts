import { verify, X509Certificate } from 'node:crypto';
import {
  addressOf,
  forged,
  instantOf,
  isRecord,
  malformed,
  optionalText,
  parseJson,
  ProviderEvent,
} from './provider-event';
import { ReadReports, reasonOf, SIGNATURE_TOLERANCE_MS, requiredText } from './provider-event';

export type SnsMessageType = 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';

/** An SNS HTTP(S) message (docs.aws.amazon.com/sns/latest/dg/http-message-formats.html). */
export interface SnsMessage {
  Type: SnsMessageType;
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: '1' | '2';
  Signature: string;
  SigningCertURL: string;
  Subject?: string;
  SubscribeURL?: string;
  Token?: string;
}

const TYPES: SnsMessageType[] = ['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'];
/**
 * SNS's own hosts: certificates and subscription confirmations come from nowhere else. The middle label must be a
 * region name (us-east-1, us-gov-west-1): "any label" would take an S3 bucket named "sns" on a legacy endpoint,
 * https://sns.s3-us-west-2.amazonaws.com, whose owner could then sign messages of any topic.
 */
const SNS_HOST = /^sns\.[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}\.amazonaws\.com(\.cn)?$/;
/**
 * How old a signed message may be: SNS retries an HTTP delivery for at most an hour (its delivery policy's
 * limit), and our clock may be behind or ahead of AWS's by the signature tolerance.
 */
export const SNS_MESSAGE_MAX_AGE_MS = 60 * 60_000 + SIGNATURE_TOLERANCE_MS;

/** The message's fields, checked; 400 naming the first that is missing or wrong. */
export function parseSnsMessage(body: string): SnsMessage {
  const parsed = parseJson(body, 'The SNS message');
  if (!isRecord(parsed)) {
    throw malformed('The SNS message must be a JSON object');
  }
  const type = requiredText(parsed, 'Type', 'body');
  if (!TYPES.includes(type as SnsMessageType)) {
    throw malformed(`body.Type must be one of ${TYPES.join(', ')}`);
  }
  const version = requiredText(parsed, 'SignatureVersion', 'body');
  if (version !== '1' && version !== '2') {
    throw malformed('body.SignatureVersion must be "1" or "2"');
  }
  const message: SnsMessage = {
    Type: type as SnsMessageType,
    MessageId: requiredText(parsed, 'MessageId', 'body'),
    TopicArn: requiredText(parsed, 'TopicArn', 'body'),
    Message: requiredText(parsed, 'Message', 'body'),
    Timestamp: requiredText(parsed, 'Timestamp', 'body'),
    SignatureVersion: version,
    Signature: requiredText(parsed, 'Signature', 'body'),
    SigningCertURL: requiredText(parsed, 'SigningCertURL', 'body'),
    Subject: optionalText(parsed, 'Subject'),
  };
  if (message.Type !== 'Notification') {
    message.SubscribeURL = requiredText(parsed, 'SubscribeURL', 'body');
    message.Token = requiredText(parsed, 'Token', 'body');
  }
  return message;
}

/** The text SNS signs: chosen fields as "name\nvalue\n", in byte order of their names. */
export function snsStringToSign(message: SnsMessage): string {
  const fields =
    message.Type === 'Notification'
      ? (['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const)
      : (['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const);
  return fields
    .filter((field) => message[field] !== undefined)
    .map((field) => `${field}\n${message[field]}\n`)
    .join('');
}

/**
 * Why an SNS URL (a signing certificate, a SubscribeURL) must not be fetched, or null: only https on an
 * sns.<region>.amazonaws.com host, or, in tests, the one stand-in host:port given.
 */
export function snsUrlProblem(raw: string, testHost?: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:') {
    return 'must be https';
  }
  if (testHost !== undefined && url.host === testHost) {
    return null;
  }
  if (!SNS_HOST.test(url.hostname) || url.port !== '' || url.username !== '' || url.password !== '') {
    return 'must be on an sns.<region>.amazonaws.com host';
  }
  return null;
}

/**
 * Checks the message's signature with its signing certificate (PEM); 401 when it does not match. Node's crypto
 * rather than sns-validator: that one fetches certificates itself (no cache bound, no test stand-in) and adds
 * nothing to a dozen lines of verification.
 */
export function verifySnsSignature(message: SnsMessage, certificatePem: string): void {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch {
    throw forged('The SNS signing certificate could not be read');
  }
  const algorithm = message.SignatureVersion === '1' ? 'sha1' : 'sha256';
  let valid: boolean;
  try {
    valid = verify(
      algorithm,
      Buffer.from(snsStringToSign(message), 'utf8'),
      certificate.publicKey,
      Buffer.from(message.Signature, 'base64'),
    );
  } catch {
    // A key that cannot take this digest (an Ed25519 certificate, say) signed nothing SNS sends.
    valid = false;
  }
  if (!valid) {
    throw forged('The SNS signature does not match the message and its signing certificate');
  }
}

/**
 * 401 for a message signed longer ago than SNS would deliver it (or too far ahead of our clock): a captured
 * message posted again later is not taken. Call after the signature is verified: it covers the Timestamp.
 */
export function verifySnsFreshness(message: SnsMessage, now: Date): void {
  const signedAt = Date.parse(message.Timestamp);
  const age = now.getTime() - signedAt;
  if (Number.isNaN(signedAt) || age > SNS_MESSAGE_MAX_AGE_MS || age < -SIGNATURE_TOLERANCE_MS) {
    throw forged(
      `The SNS message's Timestamp (${message.Timestamp}) is too old or ahead of our clock: not taken again`,
    );
  }
}

/**
 * The SES notification an SNS Notification carries (docs.aws.amazon.com/ses/latest/dg/notification-contents.html),
 * or an SES event-publishing record (`eventType`): permanent bounces and complaints, one event per recipient,
 * keyed by SES's feedbackId (the same bounce through two topics is one event).
 */
export function readSesNotification(message: SnsMessage): ReadReports {
  const parsed = parseJson(message.Message, 'The SNS Message (an SES notification)');
  if (!isRecord(parsed)) {
    throw malformed('Message must be an SES notification object');
  }
  const type = optionalText(parsed, 'notificationType') ?? optionalText(parsed, 'eventType');
  if (type === undefined) {
    throw malformed('Message.notificationType (or eventType) must be a non-empty string');
  }
  if (type === 'Bounce') {
    const bounce = parsed.bounce;
    if (!isRecord(bounce) || !Array.isArray(bounce.bouncedRecipients)) {
      throw malformed('Message.bounce.bouncedRecipients must be an array');
    }
    const bounceType = requiredText(bounce, 'bounceType', 'Message.bounce');
    if (bounceType !== 'Permanent') {
      return { events: [], ignored: bounce.bouncedRecipients.length };
    }
    return eachRecipient(
      bounce.bouncedRecipients,
      'Message.bounce.bouncedRecipients',
      message,
      bounce,
      (recipient) =>
        reasonOf(
          `${bounceType}/${optionalText(bounce, 'bounceSubType') ?? 'General'}`,
          optionalText(recipient, 'diagnosticCode') ?? optionalText(recipient, 'status'),
        ),
      'hard-bounce',
    );
  }
  if (type === 'Complaint') {
    const complaint = parsed.complaint;
    if (!isRecord(complaint) || !Array.isArray(complaint.complainedRecipients)) {
      throw malformed('Message.complaint.complainedRecipients must be an array');
    }
    const feedback = optionalText(complaint, 'complaintFeedbackType');
    return eachRecipient(
      complaint.complainedRecipients,
      'Message.complaint.complainedRecipients',
      message,
      complaint,
      () => reasonOf('complaint', feedback),
      'complaint',
    );
  }
  return { events: [], ignored: 1 };
}

function eachRecipient(
  recipients: unknown[],
  where: string,
  message: SnsMessage,
  report: Record<string, unknown>,
  reason: (recipient: Record<string, unknown>) => string,
  kind: ProviderEvent['kind'],
): ReadReports {
  const feedbackId = optionalText(report, 'feedbackId') ?? message.MessageId;
  const events: ProviderEvent[] = [];
  let ignored = 0;
  recipients.forEach((recipient: unknown, index) => {
    if (!isRecord(recipient)) {
      throw malformed(`${where}[${index}] must be an object`);
    }
    const email = addressOf(requiredText(recipient, 'emailAddress', `${where}[${index}]`));
    if (email === null) {
      ignored += 1;
      return;
    }
    events.push({
      eventId: `${feedbackId}/${email}`,
      kind,
      email,
      reason: reason(recipient),
      occurredAt: instantOf(report.timestamp),
    });
  });
  return { events, ignored };
}
