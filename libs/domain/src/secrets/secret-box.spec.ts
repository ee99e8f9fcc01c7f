import { SecretBox } from './secret-box';

describe(SecretBox.name, () => {
  const url = 'https://hooks.slack.com/services/T000/B000/XXXXXXXX';

  it('should open what it sealed, with a fresh nonce each time', () => {
    const box = new SecretBox('an-app-secret-of-some-length');
    const first = box.seal(url);
    const second = box.seal(url);
    expect(first).not.toContain('hooks.slack.com');
    expect(first).not.toBe(second);
    expect(box.open(first)).toBe(url);
    expect(box.open(second)).toBe(url);
  });

  it('should refuse a sealed value under another secret or tampered with', () => {
    const sealed = new SecretBox('an-app-secret-of-some-length').seal(url);
    expect(() => new SecretBox('another-secret-entirely').open(sealed)).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('https://evil.example').toString('base64url');
    expect(() => new SecretBox('an-app-secret-of-some-length').open(parts.join('.'))).toThrow();
    expect(() => new SecretBox('an-app-secret-of-some-length').open(url)).toThrow(/Not a sealed secret/);
  });
});
