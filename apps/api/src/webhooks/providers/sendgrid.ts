import { createPublicKey, KeyObject, verify } from 'node:crypto';
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

export const SENDGRID_SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
export const SENDGRID_TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

/** The verification key SendGrid shows for a signed event webhook: base64 of an ECDSA P-256 key (DER, SPKI). */
export function sendgridKey(base64: string): KeyObject {
  return createPublicKey({ key: Buffer.from(base64.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' });
}

/**
 * SendGrid's signed event webhook: an ECDSA (SHA-256) signature, base64 DER, over the timestamp header
 * followed by the raw body (docs.sendgrid.com, "Getting started with the Event Webhook Security Features").
 * Node's crypto verifies it natively; @sendgrid/eventwebhook would do the same in pure JS (starkbank-ecdsa).
 */
export function verifySendgrid(
  key: KeyObject,
  headers: Record<string, string | string[] | undefined>,
  rawBody: string,
  now: Date,
): void {
  const signature = headers[SENDGRID_SIGNATURE_HEADER];
  const timestamp = headers[SENDGRID_TIMESTAMP_HEADER];
  if (typeof signature !== 'string' || typeof timestamp !== 'string') {
    throw forged('SendGrid event webhooks must be signed (X-Twilio-Email-Event-Webhook-Signature and -Timestamp)');
  }
  let valid: boolean;
  try {
    valid = verify('sha256', Buffer.from(timestamp + rawBody, 'utf8'), key, Buffer.from(signature, 'base64'));
  } catch {
    valid = false;
  }
  if (!valid) {
    throw forged('The SendGrid signature does not match the body and the verification key');
  }
  if (!signedRecently(timestamp, now)) {
    throw forged('The SendGrid signature is too old (or from the future): not taken again');
  }
}

/** A batch of SendGrid events: bounces (type "bounce"; "blocked" is temporary) and spam reports are acted on. */
export function readSendgrid(body: string): ReadReports {
  const parsed = parseJson(body, 'The SendGrid webhook body');
  if (!Array.isArray(parsed)) {
    throw malformed('The SendGrid webhook body must be a JSON array of events');
  }
  const events: ProviderEvent[] = [];
  let ignored = 0;
  parsed.forEach((item: unknown, index) => {
    const where = `[${index}]`;
    if (!isRecord(item)) {
      throw malformed(`${where} must be an event object`);
    }
    const kind = requiredText(item, 'event', where);
    const hard = kind === 'bounce' && (item.type === undefined || item.type === 'bounce');
    if (!hard && kind !== 'spamreport') {
      ignored += 1;
      return;
    }
    const eventId = requiredText(item, 'sg_event_id', where);
    const email = addressOf(requiredText(item, 'email', where));
    if (email === null) {
      ignored += 1;
      return;
    }
    events.push({
      eventId,
      kind: hard ? 'hard-bounce' : 'complaint',
      email,
      reason: hard ? reasonOf('bounce', optionalText(item, 'status'), optionalText(item, 'reason')) : 'spam report',
      occurredAt: instantOf(item.timestamp),
    });
  });
  return { events, ignored };
}
