import { assertPublicAddress, BlockedAddressError, HttpClient, HttpClientError, redactUrl } from '@libs/http';

describe('assertPublicAddress', () => {
  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows public unicast %s', (ip) => {
    expect(() => assertPublicAddress(ip, 'example.org')).not.toThrow();
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.53.1.2', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:a00:1', 'private'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['169.254.169.254', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['fd00::2', 'uniqueLocal'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['64:ff9b::7f00:1', 'rfc6052'],
    ['::7f00:1', 'ipv4Compatible'],
    ['::127.0.0.1', 'ipv4Compatible'],
    ['::a00:1', 'ipv4Compatible'],
    ['::8.8.8.8', 'ipv4Compatible'],
    ['not-an-ip', 'unparseable'],
  ])('refuses %s (%s)', (ip, range) => {
    let thrown: unknown;
    try {
      assertPublicAddress(ip, 'feeds.example');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(BlockedAddressError);
    expect(thrown).toMatchObject({ host: 'feeds.example', address: ip, range });
  });

  it('names both the host and the address it resolved to', () => {
    expect(() => assertPublicAddress('127.0.0.1', 'localhost')).toThrow(
      'localhost resolves to 127.0.0.1, which is a loopback address; only public unicast targets are allowed',
    );
  });
});

describe('HttpClient IP-literal and scheme checks (refused before any connection)', () => {
  const client = new HttpClient({ allowPrivateTargets: false, userAgent: 'paperboy-test', defaultTimeoutMs: 5_000 });

  afterAll(() => client.close());

  it.each([
    'http://127.0.0.1/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://2130706433/',
    'http://0177.0.0.1/',
    'http://0x7f.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::ffff:169.254.169.254]/',
    'http://10.0.0.1/',
    'http://0.0.0.0/',
  ])('refuses %s as blocked-target', async (url) => {
    await expect(client.request({ url })).rejects.toMatchObject({ name: 'HttpClientError', kind: 'blocked-target' });
  });

  it.each(['ftp://example.org/feed.xml', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url'])(
    'refuses %s as invalid-url',
    async (url) => {
      await expect(client.request({ url })).rejects.toMatchObject({ kind: 'invalid-url' });
    },
  );
});

describe('HttpClientError', () => {
  it('formats method, redacted URL and what went wrong', () => {
    const err = new HttpClientError('too-large', 'GET', 'http://x/y', 'response body exceeds 1048576 bytes');
    expect(err.message).toBe('GET http://x/y: response body exceeds 1048576 bytes');
    expect(err).toBeInstanceOf(Error);
  });

  it('never exposes a Slack webhook path, in the message or in url', () => {
    const err = new HttpClientError(
      'network',
      'POST',
      'https://hooks.slack.com/services/T0001/B0002/s3cr3tT0k3n',
      'socket hang up',
    );
    expect(err.message).toBe('POST https://hooks.slack.com/services/…: socket hang up');
    expect(err.url).toBe('https://hooks.slack.com/services/…');
    expect(`${err.message} ${err.url} ${err.stack}`).not.toContain('s3cr3tT0k3n');
  });

  it.each([
    ['timeout', true],
    ['network', true],
    ['invalid-url', false],
    ['blocked-target', false],
    ['too-large', false],
    ['too-many-redirects', false],
  ] as const)('%s is transient: %s', (kind, transient) => {
    expect(new HttpClientError(kind, 'GET', 'https://example.org/', 'x').transient).toBe(transient);
  });
});

describe('redactUrl', () => {
  it.each([
    ['https://hooks.slack.com/services/T0001/B0002/s3cr3t', 'https://hooks.slack.com/services/…'],
    ['https://HOOKS.SLACK.COM/services/T0001/B0002/s3cr3t?x=1', 'https://hooks.slack.com/services/…?…'],
    ['https://example.org/feed.xml?token=abc#top', 'https://example.org/feed.xml?…'],
    ['https://user:pass@example.org:8443/rss', 'https://example.org:8443/rss'],
    ['http://example.org', 'http://example.org/'],
    ['no url at all s3cr3t', '(unparseable URL)'],
  ])('%s -> %s', (raw, expected) => {
    expect(redactUrl(raw)).toBe(expected);
  });
});
