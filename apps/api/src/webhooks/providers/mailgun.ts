import { createHmac } from 'node:crypto';
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
import { ReadReports, reasonOf, signedRecently, requiredText } from './provider-event';
import { sameSecret } from '@libs/domain';

/** Mailgun's reports, and the signing token: its signature covers no more, so the token is bound to the body. */
export interface MailgunReports extends ReadReports {
  token: string;
}

/**
 * Mailgun's webhook body, signed: `signature.signature` is the hex HMAC-SHA256, keyed with the webhook
 * signing key, of `signature.timestamp` followed by `signature.token` (documentation.mailgun.com, "Securing
 * webhooks"). Old timestamps are refused; the event id makes a replay within the window a no-op, and the caller
 * binds the token to this body (WebhookTokens): the signature says nothing of the event-data beside it.
 */
export function readMailgun(body: string, signingKey: string, now: Date): MailgunReports {
  const parsed = parseJson(body, 'The Mailgun webhook body');
  if (!isRecord(parsed) || !isRecord(parsed.signature)) {
    throw malformed('The Mailgun webhook body must be a JSON object with "signature" and "event-data"');
  }
  const signature = parsed.signature;
  const timestamp = requiredText(signature, 'timestamp', 'signature');
  const token = requiredText(signature, 'token', 'signature');
  const given = requiredText(signature, 'signature', 'signature');
  const expected = createHmac('sha256', signingKey)
    .update(timestamp + token)
    .digest('hex');
  if (!sameSecret(given.toLowerCase(), expected)) {
    throw forged('The Mailgun signature does not match the signing key');
  }
  if (!signedRecently(timestamp, now)) {
    throw forged('The Mailgun signature is too old (or from the future): not taken again');
  }
  const data = parsed['event-data'];
  if (!isRecord(data)) {
    throw malformed('event-data must be an object');
  }
  const kind = requiredText(data, 'event', 'event-data');
  const hard = kind === 'failed' && data.severity === 'permanent';
  if (!hard && kind !== 'complained') {
    return { events: [], ignored: 1, token };
  }
  const eventId = requiredText(data, 'id', 'event-data');
  const email = addressOf(requiredText(data, 'recipient', 'event-data'));
  if (email === null) {
    return { events: [], ignored: 1, token };
  }
  const status = isRecord(data['delivery-status']) ? data['delivery-status'] : {};
  const event: ProviderEvent = {
    eventId,
    kind: hard ? 'hard-bounce' : 'complaint',
    email,
    reason: hard
      ? reasonOf(
          optionalText(status, 'code'),
          optionalText(status, 'description') ?? optionalText(status, 'message'),
          optionalText(data, 'reason'),
        )
      : 'complaint',
    occurredAt: instantOf(data.timestamp),
  };
  return { events: [event], ignored: 0, token };
}
