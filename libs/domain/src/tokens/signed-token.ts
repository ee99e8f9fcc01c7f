import { createHmac } from 'node:crypto';
import { sameSecret } from './same-secret';

/** What a token lets its bearer do; bound into the signature so one kind cannot stand in for another. */
export type TokenPurpose =
  | 'confirm'
  | 'confirm-email'
  | 'approve-email'
  | 'unsubscribe'
  | 'manage'
  | 'feed'
  | 'digest'
  | 'vote';

/**
 * Stateless signed links: `<subjectId>.<issuedAt>.<signature>`. Unsubscribe links never expire
 * (old emails must keep working, RFC 8058); confirmation links do. `keyVersion` (the subscription's
 * `linkVersion`) is signed in but not written: raising it revokes every earlier token signed with it, and
 * version 0 signs as tokens did before versions existed, so links already sent keep working.
 */
export function signToken(
  secret: string,
  purpose: TokenPurpose,
  subjectId: string,
  issuedAt: Date,
  keyVersion = 0,
): string {
  const iat = Math.floor(issuedAt.getTime() / 1000).toString(36);
  return `${subjectId}.${iat}.${signature(secret, purpose, subjectId, iat, keyVersion)}`;
}

/** The subject a token claims, unverified: what to look up (its key version, say) before `verifyToken`. */
export function tokenSubject(token: string): string | null {
  const parts = token.split('.');
  return parts.length === 3 && parts[0] !== '' ? parts[0] : null;
}

/** The subject id when the token is genuine, of this purpose and key version and not older than maxAgeMs; else null. */
export function verifyToken(
  secret: string,
  purpose: TokenPurpose,
  token: string,
  now: Date,
  maxAgeMs = Number.POSITIVE_INFINITY,
  keyVersion = 0,
): string | null {
  const parts = token.split('.');
  if (parts.length !== 3) {
    return null;
  }
  const [subjectId, iat, given] = parts;
  const expected = signature(secret, purpose, subjectId, iat, keyVersion);
  if (!sameSecret(given, expected)) {
    return null;
  }
  const issuedAtMs = parseInt(iat, 36) * 1000;
  if (!Number.isFinite(issuedAtMs) || now.getTime() - issuedAtMs > maxAgeMs) {
    return null;
  }
  return subjectId;
}

function signature(secret: string, purpose: TokenPurpose, subjectId: string, iat: string, keyVersion: number): string {
  const version = keyVersion === 0 ? '' : `|k${keyVersion}`;
  return createHmac('sha256', secret).update(`${purpose}|${subjectId}|${iat}${version}`).digest('base64url');
}
