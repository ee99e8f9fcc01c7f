import { safeHttpUrl } from './safe-http-url';

describe('safeHttpUrl', () => {
  it.each([
    'https://github.com/org/repo',
    'http://example.org/a?b=c#d',
    'HTTPS://Example.org/Paper',
    'https://huggingface.co/papers/2411.00001',
  ])('should keep the http(s) link %j, normalised', (url) => {
    expect(safeHttpUrl(url)).toBe(new URL(url).href);
  });

  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(document.cookie)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    '\x01https://example.org',
    'data:text/html;base64,PHNjcmlwdD4=',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    '//example.org/relative',
    '/papers/1',
    'https://exa mple.org',
    'https://example.org/\u0000',
    'https://',
    'http://[::1',
    '',
    null,
    undefined,
  ])('should refuse %j', (url) => {
    expect(safeHttpUrl(url)).toBeNull();
  });
});
