import { escapeHtml, safeUrl } from './html';

describe('escapeHtml', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['"><img src=x onerror=alert(1)>', '&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;'],
    ["' onmouseover='alert(1)", '&#x27; onmouseover&#x3D;&#x27;alert(1)'],
    ['`${x}`', '&#x60;${x}&#x60;'],
    ['Tom &amp; Jerry', 'Tom &amp;amp; Jerry'],
    ['x < y && y > z', 'x &lt; y &amp;&amp; y &gt; z'],
    ['naïve 😀 — ok', 'naïve 😀 — ok'],
  ])('should leave no markup in %j', (hostile, escaped) => {
    expect(escapeHtml(hostile)).toBe(escaped);
    expect(escapeHtml(hostile)).not.toMatch(/[<>"'`=]/);
  });

  it('should print numbers as they are', () => {
    expect(escapeHtml(42)).toBe('42');
  });
});

describe('safeUrl', () => {
  it.each([
    ['https://arxiv.org/abs/2411.00001', 'https://arxiv.org/abs/2411.00001'],
    ['http://example.org/a?b=1&c=2#d', 'http://example.org/a?b=1&c=2#d'],
    ['HTTPS://Example.ORG/Paper', 'https://example.org/Paper'],
    ['https://x.org/a"onmouseover="alert(1)', 'https://x.org/a%22onmouseover=%22alert(1)'],
    ['https://x.org/<script> x', 'https://x.org/%3Cscript%3E%20x'],
  ])('should keep the http(s) link %j, normalised', (url, expected) => {
    expect(safeUrl(url)).toBe(expected);
  });

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' javascript:alert(1)',
    '\u0001javascript:alert(1)',
    'java\nscript:alert(1)',
    'java\tscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    'ftp://example.org/x',
    '//evil.example/x',
    '/relative/path',
    'https://user:pw@evil.example/',
    'https://paypal.com@evil.example/',
    'not a url',
    '',
    null,
    undefined,
  ])('should refuse %j', (url) => {
    expect(safeUrl(url)).toBeNull();
  });
});
