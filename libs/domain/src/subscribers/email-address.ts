import { domainToASCII } from 'node:url';

/** An address as Paperboy counts, stores and mails it; or why it was refused (each message names `email`). */
export type NormalisedEmail = { address: string; problem?: undefined } | { address?: undefined; problem: string };

const NOT_AN_ADDRESS = 'email must be an email address';
// Letters and digits of any script, and the printable ASCII RFC 5322 allows unquoted ("atext").
const ATOM = /^[\p{L}\p{M}\p{N}!#$%&'*+/=?^_`{|}~-]+$/u;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * One spelling per mailbox, so a cap counted on it cannot be dodged: `"bomb"@Example.COM`, `bo\mb@…` and
 * `bomb@exa` with a full-width letter all reach one mailbox. Quoted local parts and escapes (which no real
 * subscriber has) and control characters (header injection) are refused rather than unfolded; the domain is
 * lower-cased and IDNs become their ASCII (punycode) form; the local part is lower-cased too, as
 * Paperboy always stored it (mailbox providers treat it case-insensitively).
 */
export function normaliseEmail(raw: string): NormalisedEmail {
  // \p{Cc} holds NUL, CR, LF, TAB and DEL; \p{Cf} the invisible ones (zero-width space, bidi overrides).
  if (/[\p{Cc}\p{Cf}\u2028\u2029]/u.test(raw)) {
    return { problem: 'email must not contain control characters or line breaks' };
  }
  const text = raw.trim().normalize('NFC');
  if (/["\\]/.test(text)) {
    return { problem: 'email must be a plain address such as name@example.org, without quotes or backslashes' };
  }
  const at = text.lastIndexOf('@');
  if (at <= 0 || text.indexOf('@') !== at) {
    return { problem: NOT_AN_ADDRESS };
  }
  const local = text.slice(0, at).toLowerCase();
  const domain = asciiDomain(text.slice(at + 1));
  if (local.length > 64 || !local.split('.').every((atom) => ATOM.test(atom)) || domain === null) {
    return { problem: NOT_AN_ADDRESS };
  }
  const address = `${local}@${domain}`;
  return address.length > 254 ? { problem: 'email must be at most 254 characters' } : { address };
}

/** The domain in ASCII (IDNA), lower case, without a trailing dot; null for an IP literal or a malformed name. */
function asciiDomain(given: string): string | null {
  const name = given.endsWith('.') ? given.slice(0, -1) : given;
  if (name === '' || name.startsWith('[')) {
    return null;
  }
  const ascii = domainToASCII(name);
  const labels = ascii.split('.');
  if (ascii === '' || ascii.length > 253 || labels.length < 2 || !labels.every((label) => LABEL.test(label))) {
    return null;
  }
  // A top-level domain is never all digits: `1.2.3.4` is an address, not a name.
  return /^\d+$/.test(labels[labels.length - 1]) ? null : ascii;
}
