import { normaliseEmail } from './email-address';

describe('normaliseEmail', () => {
  it.each([
    ['bomb@example.com', 'bomb@example.com'],
    ['  Bomb@Example.COM ', 'bomb@example.com'],
    ['bomb@example.com.', 'bomb@example.com'],
    ['first.last+tag@sub.example.org', 'first.last+tag@sub.example.org'],
    ['o\'neil@example.ie', "o'neil@example.ie"],
    ['user@BÜcher.example', 'user@xn--bcher-kva.example'],
    ['user@xn--bcher-kva.example', 'user@xn--bcher-kva.example'],
    // Full-width letters map to ASCII under IDNA: the same mailbox as the plain spelling.
    ['bomb@ｅｘａｍｐｌｅ.com', 'bomb@example.com'],
    ['José@example.com', 'josé@example.com'],
    // NFD and NFC spellings of one letter are one address.
    ['Jose\u0301@example.com', 'josé@example.com'],
  ])('should normalise %j to %j', (raw, expected) => {
    expect(normaliseEmail(raw)).toEqual({ address: expected });
  });

  it('should be idempotent', () => {
    for (const raw of ['  Bomb@Example.COM ', 'user@BÜcher.example', 'Jose\u0301@example.com']) {
      const once = normaliseEmail(raw).address as string;
      expect(normaliseEmail(once)).toEqual({ address: once });
    }
  });

  it.each([
    '"bomb"@example.com',
    '"bo\\mb"@example.com',
    'bo\\mb@example.com',
    '"bomb@evil"@example.com',
  ])('should refuse the quoted or escaped %j, naming email', (raw) => {
    expect(normaliseEmail(raw).problem).toBe(
      'email must be a plain address such as name@example.org, without quotes or backslashes',
    );
  });

  it.each([
    '"a\u0007b"@example.com',
    'a\u0007b@example.com',
    'bomb@example.com\r\nBcc: victim@example.org',
    'bomb@example.com\n',
    'bo\u0000mb@example.com',
    'bo\u200bmb@example.com',
    'bomb@exa\u202emple.com',
  ])('should refuse %j for its control characters', (raw) => {
    expect(normaliseEmail(raw).problem).toBe('email must not contain control characters or line breaks');
  });

  it.each([
    '',
    'bomb',
    '@example.com',
    'bomb@',
    'bomb@localhost',
    'bomb@[127.0.0.1]',
    'bomb@127.0.0.1',
    'a@b@example.com',
    'bo mb@example.com',
    '.bomb@example.com',
    'bo..mb@example.com',
    'bomb.@example.com',
    'bomb@-example.com',
    'bomb@exa_mple.com',
    'bomb@example..com',
    'bo(mb)@example.com',
    `${'a'.repeat(65)}@example.com`,
  ])('should refuse the malformed %j', (raw) => {
    expect(normaliseEmail(raw).problem).toBe('email must be an email address');
  });

  it('should refuse an address longer than 254 characters', () => {
    const domain = `${Array.from({ length: 4 }, () => 'd'.repeat(60)).join('.')}.org`;
    expect(normaliseEmail(`${'a'.repeat(20)}@${domain}`).problem).toBe('email must be at most 254 characters');
  });
});
