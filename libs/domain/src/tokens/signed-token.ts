import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a token lets its bearer do; bound into the signature so one kind cannot stand in for another. */
export type TokenPurpose = 'confirm' | 'confirm-email' | 'unsubscribe' | 'manage' | 'feed' | 'digest';

/**
 * Stateless signed links: `<subjectId>.<issuedAt>.<signature>`. Unsubscribe links never expire
 * (old emails must keep working, RFC 8058); confirmation links do.
 */
export function signToken(secret: string, purpose: TokenPurpose, subjectId: string, issuedAt: Date): string {
  const iat = Math.floor(issuedAt.getTime() / 1000).toString(36);
  return `${subjectId}.${iat}.${signature(secret, purpose, subjectId, iat)}`;
}

/** The subject id when the token is genuine, of this purpose and not older than maxAgeMs; else null. */
export function verifyToken(
  secret: string,
  purpose: TokenPurpose,
  token: string,
  now: Date,
  maxAgeMs = Number.POSITIVE_INFINITY,
): string | null {
  const parts = token.split('.');
  if (parts.length !== 3) {
    return null;
  }
  const [subjectId, iat, given] = parts;
  const expected = signature(secret, purpose, subjectId, iat);
  const givenBytes = Buffer.from(given);
  const expectedBytes = Buffer.from(expected);
  if (givenBytes.length !== expectedBytes.length || !timingSafeEqual(givenBytes, expectedBytes)) {
    return null;
  }
  const issuedAtMs = parseInt(iat, 36) * 1000;
  if (!Number.isFinite(issuedAtMs) || now.getTime() - issuedAtMs > maxAgeMs) {
    return null;
  }
  return subjectId;
}

function signature(secret: string, purpose: TokenPurpose, subjectId: string, iat: string): string {
  return createHmac('sha256', secret).update(`${purpose}|${subjectId}|${iat}`).digest('base64url');
}
