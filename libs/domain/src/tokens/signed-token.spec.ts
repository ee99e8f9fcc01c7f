import { signToken, tokenSubject, verifyToken } from './signed-token';

const secret = 'a-test-secret-of-some-length';
const issued = new Date('2026-11-28T10:00:00Z');
const id = '5b0c9a52-7f7e-4c8e-9d55-0d2f6f1c2a10';

describe('signed tokens', () => {
  it('should verify a token of the same purpose and return its subject', () => {
    const token = signToken(secret, 'unsubscribe', id, issued);
    expect(verifyToken(secret, 'unsubscribe', token, new Date('2036-01-01'))).toBe(id);
  });

  it('should refuse a token of another purpose, another secret or a tampered subject', () => {
    const token = signToken(secret, 'confirm', id, issued);
    expect(verifyToken(secret, 'unsubscribe', token, issued)).toBeNull();
    expect(verifyToken('another-secret-entirely', 'confirm', token, issued)).toBeNull();
    const tampered = token.replace(id, '00000000-0000-0000-0000-000000000000');
    expect(verifyToken(secret, 'confirm', tampered, issued)).toBeNull();
    expect(verifyToken(secret, 'confirm', 'garbage', issued)).toBeNull();
  });

  it('should refuse an expired token when a maximum age is given', () => {
    const token = signToken(secret, 'confirm', id, issued);
    const threeDays = 3 * 24 * 3600 * 1000;
    expect(verifyToken(secret, 'confirm', token, new Date('2026-11-30T10:00:00Z'), threeDays)).toBe(id);
    expect(verifyToken(secret, 'confirm', token, new Date('2026-12-02T10:00:00Z'), threeDays)).toBeNull();
  });

  it('should refuse a token signed for an earlier key version once the version was raised', () => {
    const before = signToken(secret, 'manage', id, issued);
    const after = signToken(secret, 'manage', id, issued, 1);
    expect(verifyToken(secret, 'manage', before, issued, Infinity, 0)).toBe(id);
    expect(verifyToken(secret, 'manage', before, issued, Infinity, 1)).toBeNull();
    expect(verifyToken(secret, 'manage', after, issued, Infinity, 1)).toBe(id);
    expect(verifyToken(secret, 'manage', after, issued, Infinity, 2)).toBeNull();
    // The version is signed in, not written: the token looks the same.
    expect(after.split('.').slice(0, 2)).toEqual(before.split('.').slice(0, 2));
    expect(tokenSubject(after)).toBe(id);
    expect(tokenSubject('garbage')).toBeNull();
  });
});
