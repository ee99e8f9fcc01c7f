import {
  forged,
  isRecord,
  malformed,
  optionalText,
  parseJson,
  ReadReports,
  reasonOf,
  requiredText,
} from './provider-event';
import { addressOf, instantOf, ProviderEvent } from './provider-event';
import { sameSecret } from '@libs/domain';

/** Bounce types Postmark reports for an address that will never take mail (postmarkapp.com/developer/api/bounce-api#bounce-types). */
const HARD_BOUNCE_TYPES = new Set(['HardBounce', 'BadEmailAddress', 'ManuallyDeactivated']);

/**
 * Postmark posts with the basic-auth credentials put in the webhook's URL (https://user:password@host/...),
 * its documented way to authenticate webhooks. Compared in constant time.
 */
export function verifyPostmark(authorization: string | undefined, user: string, password: string): void {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  if (!match) {
    throw forged('Postmark webhooks must carry the basic-auth credentials of MAIL_WEBHOOK_POSTMARK_USER');
  }
  const given = Buffer.from(match[1], 'base64').toString('utf8');
  if (!sameSecret(given, `${user}:${password}`)) {
    throw forged('The basic-auth credentials are not the ones Postmark was given');
  }
}

/**
 * One Postmark webhook record (Bounce, SpamComplaint, or another RecordType Paperboy does not act on). The
 * record's ID is a 64-bit integer, beyond what a JavaScript number holds exactly: it is read as text.
 */
export function readPostmark(body: string): ReadReports {
  const parsed = parseJson(body.replace(/("ID"\s*:\s*)(-?\d{16,})/g, '$1"$2"'), 'The Postmark webhook body');
  if (!isRecord(parsed)) {
    throw malformed('The Postmark webhook body must be one JSON object (a Bounce or SpamComplaint record)');
  }
  const recordType = requiredText(parsed, 'RecordType', 'body');
  if (recordType !== 'Bounce' && recordType !== 'SpamComplaint') {
    return { events: [], ignored: 1 };
  }
  const id = optionalText(parsed, 'ID');
  if (id === undefined || !/^\d+$/.test(id)) {
    throw malformed("body.ID must be the record's numeric id");
  }
  const type = requiredText(parsed, 'Type', 'body');
  const email = addressOf(requiredText(parsed, 'Email', 'body'));
  const complaint = recordType === 'SpamComplaint' || type === 'SpamComplaint';
  if (email === null || (!complaint && !HARD_BOUNCE_TYPES.has(type))) {
    return { events: [], ignored: 1 };
  }
  const event: ProviderEvent = {
    eventId: id,
    kind: complaint ? 'complaint' : 'hard-bounce',
    email,
    reason: reasonOf(type, optionalText(parsed, 'Description'), optionalText(parsed, 'Details')),
    occurredAt: instantOf(parsed.BouncedAt),
  };
  return { events: [event], ignored: 0 };
}
