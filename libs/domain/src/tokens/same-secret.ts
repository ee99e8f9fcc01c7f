import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether a secret a request gave is the expected one, in constant time. Both are hashed first, so neither the
 * comparison nor an early length check tells a caller how long the secret is or how much of it matched.
 */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}
