import { signToken } from './signed-token';
import { MAX_LINK_VERSION, unsubscribeTokenVersion } from './subscriber-links';

const SECRET = 'subscriber-links-secret-0123456789';
const ID = '6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5';
const sentAt = new Date('2026-11-02T08:00:00Z');
const now = new Date('2026-12-07T08:00:00Z');

describe('unsubscribeTokenVersion', () => {
  const signedAt = (version: number): string => signToken(SECRET, 'unsubscribe', ID, sentAt, version);

  it('should name the key version an unsubscribe token was signed with, up to the current one', () => {
    expect(unsubscribeTokenVersion(SECRET, signedAt(0), now, 3)).toBe(0);
    expect(unsubscribeTokenVersion(SECRET, signedAt(2), now, 3)).toBe(2);
    expect(unsubscribeTokenVersion(SECRET, signedAt(3), now, 3)).toBe(3);
    expect(unsubscribeTokenVersion(SECRET, signedAt(4), now, 3)).toBeNull();
    expect(unsubscribeTokenVersion('another-secret-0123456789abcdef', signedAt(0), now, 3)).toBeNull();
  });

  it('should try no more than MAX_LINK_VERSION earlier versions, however high the current one', () => {
    const current = MAX_LINK_VERSION + 50;
    expect(unsubscribeTokenVersion(SECRET, signedAt(current - MAX_LINK_VERSION), now, current)).toBe(50);
    expect(unsubscribeTokenVersion(SECRET, signedAt(current - MAX_LINK_VERSION - 1), now, current)).toBeNull();
  });
});
