import type { IncomingMessage } from 'node:http';
import { isAdmin } from './admin-auth';

const withAuthorization = (authorization?: string): IncomingMessage => ({ headers: { authorization } }) as IncomingMessage;
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('isAdmin', () => {
  const token = 'a-long-admin-token-value';

  it('should accept the token as a bearer token or as the basic-auth password', () => {
    expect(isAdmin(withAuthorization(`Bearer ${token}`), token)).toBe(true);
    expect(isAdmin(withAuthorization(basic('anyone', token)), token)).toBe(true);
  });

  it('should refuse other tokens, no token, and everything when none is configured', () => {
    expect(isAdmin(withAuthorization(`Bearer ${token}x`), token)).toBe(false);
    expect(isAdmin(withAuthorization(basic(token, 'nope')), token)).toBe(false);
    expect(isAdmin(withAuthorization(), token)).toBe(false);
    expect(isAdmin(withAuthorization(`Bearer ${token}`), undefined)).toBe(false);
  });
});
