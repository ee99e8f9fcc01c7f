import { InvalidSettingsError, loadSettings, withoutCredentials } from './settings';

describe('loadSettings', () => {
  it('should apply local defaults when nothing is set', () => {
    const settings = loadSettings({});
    expect(settings.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/paperboy');
    expect(settings.PORT).toBe(3000);
    expect(settings.ALLOW_PRIVATE_TARGETS).toBe(false);
  });

  it('should convert numbers and booleans', () => {
    const settings = loadSettings({ PORT: '8080', ALLOW_PRIVATE_TARGETS: 'true' });
    expect(settings.PORT).toBe(8080);
    expect(settings.ALLOW_PRIVATE_TARGETS).toBe(true);
  });

  it('should list every bad value with its name and what was given', () => {
    let error: unknown;
    try {
      loadSettings({ PORT: 'eighty', DATABASE_URL: 'mysql://x', QUEUE_PREFIX: 'a:b' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidSettingsError);
    const message = (error as Error).message;
    expect(message).toContain('PORT must be an integer (got "eighty")');
    expect(message).toContain('DATABASE_URL must be a postgres:// URL (got "mysql://x")');
    expect(message).toContain('QUEUE_PREFIX');
  });

  it('should accept a test clock only under NODE_ENV=test, and only an instant', () => {
    expect(loadSettings({ NODE_ENV: 'test', CLOCK_START: '2026-03-29T00:30:00Z' }).CLOCK_START).toBe(
      '2026-03-29T00:30:00Z',
    );
    expect(() => loadSettings({ CLOCK_START: '2026-03-29T00:30:00Z' })).toThrow(
      /CLOCK_START is for tests only: it needs NODE_ENV=test/,
    );
    expect(() => loadSettings({ NODE_ENV: 'test', CLOCK_START: 'tomorrow' })).toThrow(
      /CLOCK_START must be an ISO-8601 instant with a zone/,
    );
  });

  it('should refuse the development secret in production without echoing secrets', () => {
    expect(() => loadSettings({ NODE_ENV: 'production' })).toThrow(/APP_SECRET must be set in production/);
    let message = '';
    try {
      loadSettings({ APP_SECRET: 'short' });
    } catch (caught) {
      message = (caught as Error).message;
    }
    expect(message).toContain('APP_SECRET must be at least 16 characters');
    expect(message).not.toContain('short"');
  });

  it('should refuse booleans it cannot read and never echo URL credentials', () => {
    expect(loadSettings({ TRUST_PROXY: 'TRUE', ALLOW_PRIVATE_TARGETS: '0' })).toMatchObject({
      TRUST_PROXY: true,
      ALLOW_PRIVATE_TARGETS: false,
    });
    expect(() => loadSettings({ TRUST_PROXY: 'yes' })).toThrow('TRUST_PROXY must be true or false (got "yes")');
    let message = '';
    try {
      loadSettings({ DATABASE_URL: 'mysql://paperboy:S3cretPw@db/paperboy' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('(got "mysql://***@db/paperboy")');
    expect(message).not.toContain('S3cretPw');
  });

  it('should read per-host pacing and name a malformed one', () => {
    expect(loadSettings({}).HOST_PACING).toBe('arxiv.org=3');
    expect(loadSettings({ HOST_PACING: 'arxiv.org=3, api.biorxiv.org=0.5' }).HOST_PACING).toBe(
      'arxiv.org=3, api.biorxiv.org=0.5',
    );
    expect(() => loadSettings({ HOST_PACING: 'arxiv.org:3' })).toThrow(
      'HOST_PACING must be comma-separated host=seconds pairs, such as arxiv.org=3,api.biorxiv.org=1 (got "arxiv.org:3")',
    );
  });

  it('should read one Redis or a cluster, from REDIS_URL or REDIS_CLUSTER_NODES', () => {
    expect(loadSettings({}).redis).toEqual({ kind: 'standalone', url: 'redis://127.0.0.1:6379' });
    expect(loadSettings({ REDIS_URL: 'redis+cluster://app:s%40cret@10.0.0.1:7000,[::1]:7001,redis-2.local:7002' }).redis).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '::1', port: 7001 },
        { host: 'redis-2.local', port: 7002 },
      ],
      username: 'app',
      password: 's@cret',
      tls: false,
    });
    expect(loadSettings({ REDIS_URL: 'rediss://:pw@ignored:6379', REDIS_CLUSTER_NODES: 'a:7000, b:7000' }).redis).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'a', port: 7000 },
        { host: 'b', port: 7000 },
      ],
      password: 'pw',
      tls: true,
    });
  });

  it('should name a malformed cluster setting at boot without echoing its password', () => {
    const problems = (env: NodeJS.ProcessEnv): string => {
      try {
        loadSettings(env);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(problems({ REDIS_URL: 'redis+cluster://u:Sekr3t@h1:7000,h2' })).toContain(
      'REDIS_URL must list cluster nodes as host:port, separated by commas (got "h2")',
    );
    expect(problems({ REDIS_URL: 'redis+cluster://u:Sekr3t@h1:7000,h2' })).not.toContain('Sekr3t');
    expect(problems({ REDIS_CLUSTER_NODES: 'h1:99999' })).toContain(
      'REDIS_CLUSTER_NODES must list cluster nodes as host:port, separated by commas (got "h1:99999")',
    );
    expect(problems({ REDIS_CLUSTER_NODES: ' , ' })).toContain('REDIS_CLUSTER_NODES must name at least one cluster node as host:port');
    expect(problems({ REDIS_URL: 'redis+cluster://h1:7000', REDIS_CLUSTER_NODES: 'h2:7000' })).toContain(
      'REDIS_CLUSTER_NODES and a redis+cluster:// REDIS_URL both name the cluster\'s nodes: set one of them',
    );
    expect(problems({ REDIS_URL: 'redis+cluster://h1:7000/3' })).toContain('a Redis Cluster has only database 0');
    expect(problems({ REDIS_URL: 'redis+cluster://h1:7000', QUEUE_PREFIX: '{pb}' })).toContain(
      'QUEUE_PREFIX must not contain { or } on a Redis Cluster',
    );
    // A password with a stray %, a node list with credentials in it, a password with a space: named, never shown.
    expect(problems({ REDIS_URL: 'redis+cluster://u:100%Sekr3t@h1:7000' })).toContain(
      "REDIS_URL's user or password is not percent-encoded: write % as %25",
    );
    expect(problems({ REDIS_URL: 'redis+cluster://u:100%Sekr3t@h1:7000' })).not.toContain('Sekr3t');
    expect(problems({ REDIS_CLUSTER_NODES: 'u:Sekr3t@h1:7000' })).toContain(
      'REDIS_CLUSTER_NODES must list cluster nodes as host:port, separated by commas (got "***@h1:7000")',
    );
    expect(problems({ REDIS_CLUSTER_NODES: 'u:Sekr3t@h1:7000' })).not.toContain('Sekr3t');
    expect(problems({ REDIS_URL: 'redis+cluster://u:Sek r3t@h1:7000' })).toContain('(got "redis+cluster://***@h1:7000")');
    expect(problems({ REDIS_URL: 'redis+cluster://u:Sek r3t@h1:7000' })).not.toContain('r3t');
    expect(problems({ REDIS_URL: 'memcached://h1:7000' })).toContain(
      'REDIS_URL must be a redis://, rediss:// or redis+cluster://host:port,host:port URL (got "memcached://h1:7000")',
    );
  });

  describe('mail rate and webhook settings', () => {
    it('should take MAIL_RATE_PER_SECOND, falling back to its earlier name SMTP_RATE_LIMIT, and refuse what is no rate', () => {
      expect(loadSettings({}).mailRatePerSecond).toBe(0);
      expect(loadSettings({ SMTP_RATE_LIMIT: '7' }).mailRatePerSecond).toBe(7);
      expect(loadSettings({ SMTP_RATE_LIMIT: '7', MAIL_RATE_PER_SECOND: '14' }).mailRatePerSecond).toBe(14);
      expect(loadSettings({ SMTP_RATE_LIMIT: '7', MAIL_RATE_PER_SECOND: '0' }).mailRatePerSecond).toBe(0);
      expect(loadSettings({ MAIL_RATE_PER_MINUTE: '600' }).MAIL_RATE_PER_MINUTE).toBe(600);
      expect(() => loadSettings({ MAIL_RATE_PER_SECOND: '1.5' })).toThrow(
        /MAIL_RATE_PER_SECOND must be a whole number of messages a second \(got "1.5"\)/,
      );
      expect(() => loadSettings({ MAIL_RATE_PER_MINUTE: '-1' })).toThrow(/MAIL_RATE_PER_MINUTE must be between 0/);
      expect(() => loadSettings({ MAIL_SLOW_DOWN_SECONDS: '0' })).toThrow(
        /MAIL_SLOW_DOWN_SECONDS must be between 1 and 3600/,
      );
    });

    it('should refuse webhook settings that cannot verify anything, without echoing secrets', () => {
      expect(() => loadSettings({ MAIL_WEBHOOK_SES_TOPIC_ARNS: 'my-topic' })).toThrow(
        /MAIL_WEBHOOK_SES_TOPIC_ARNS must be SNS topic ARNs/,
      );
      expect(
        loadSettings({ MAIL_WEBHOOK_SES_TOPIC_ARNS: 'arn:aws:sns:eu-west-1:123456789012:ses-events' })
          .MAIL_WEBHOOK_SES_TOPIC_ARNS,
      ).toBe('arn:aws:sns:eu-west-1:123456789012:ses-events');
      expect(() => loadSettings({ MAIL_WEBHOOK_POSTMARK_USER: 'postmark' })).toThrow(
        /MAIL_WEBHOOK_POSTMARK_USER and MAIL_WEBHOOK_POSTMARK_PASSWORD are set together/,
      );
      const short = (() => {
        try {
          loadSettings({ MAIL_WEBHOOK_MAILGUN_SIGNING_KEY: 'short-secret' });
          return '';
        } catch (error) {
          return (error as Error).message;
        }
      })();
      expect(short).toContain('MAIL_WEBHOOK_MAILGUN_SIGNING_KEY must be at least 16 characters');
      expect(short).not.toContain('short-secret');
      expect(() => loadSettings({ MAIL_WEBHOOK_SENDGRID_PUBLIC_KEY: 'bm90IGEga2V5' })).toThrow(
        /MAIL_WEBHOOK_SENDGRID_PUBLIC_KEY is not a public key/,
      );
    });

    it('should take the SNS certificate stand-in settings only under NODE_ENV=test', () => {
      expect(() => loadSettings({ MAIL_WEBHOOK_SNS_TEST_HOST: '127.0.0.1:8443' })).toThrow(
        /MAIL_WEBHOOK_SNS_TEST_HOST is for tests only: it needs NODE_ENV=test/,
      );
      expect(() =>
        loadSettings({ NODE_ENV: 'production', APP_SECRET: 'x'.repeat(32), MAIL_WEBHOOK_SNS_TEST_CA: '/tmp/ca.pem' }),
      ).toThrow(/MAIL_WEBHOOK_SNS_TEST_CA is for tests only/);
      expect(
        loadSettings({ NODE_ENV: 'test', MAIL_WEBHOOK_SNS_TEST_HOST: '127.0.0.1:8443' }).MAIL_WEBHOOK_SNS_TEST_HOST,
      ).toBe('127.0.0.1:8443');
    });
  });
});

describe('withoutCredentials', () => {
  it('should hide the whole userinfo of a URL, whatever its password holds', () => {
    expect(withoutCredentials('redis://:S3cret@cache:6379/0')).toBe('redis://***@cache:6379/0');
    // An unencoded '/', '@', '?' or '#' in the password: the userinfo runs to the last '@'.
    expect(withoutCredentials('redis://paperboy:pa/ss@cache:6379')).toBe('redis://***@cache:6379');
    expect(withoutCredentials('rediss://paperboy:p@ss/w?rd#1@cache:6380/2')).toBe('rediss://***@cache:6380/2');
    expect(withoutCredentials('redis+cluster://u:a/b@h1:7000,h2:7001')).toBe('redis+cluster://***@h1:7000,h2:7001');
  });

  it('should leave a URL without userinfo as it is', () => {
    expect(withoutCredentials('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(withoutCredentials('redis+cluster://h1:7000,h2:7001')).toBe('redis+cluster://h1:7000,h2:7001');
  });
});
