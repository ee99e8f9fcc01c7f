import { loadSettings } from './settings';

describe('alert settings', () => {
  it('should leave alerts off by default', () => {
    const settings = loadSettings({});
    expect(settings.ALERT_EMAIL).toBeUndefined();
    expect(settings.ALERT_SLACK_WEBHOOK_URL).toBeUndefined();
  });

  it('should accept an address and a Slack incoming webhook', () => {
    const settings = loadSettings({
      ALERT_EMAIL: 'ops@example.org',
      ALERT_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/abc',
    });
    expect(settings.ALERT_EMAIL).toBe('ops@example.org');
    expect(settings.ALERT_SLACK_WEBHOOK_URL).toBe('https://hooks.slack.com/services/T0/B0/abc');
  });

  it('should refuse a bad address, naming it', () => {
    expect(() => loadSettings({ ALERT_EMAIL: '"ops"@example.org' })).toThrow(
      'ALERT_EMAIL must be a plain address such as name@example.org, without quotes or backslashes',
    );
    expect(loadSettings({ ALERT_EMAIL: 'Ops@Example.ORG' }).ALERT_EMAIL).toBe('ops@example.org');
    expect(() => loadSettings({ ALERT_EMAIL: 'ops' })).toThrow(
      'ALERT_EMAIL must be an email address, e.g. ops@example.org (got "ops")',
    );
  });

  it('should refuse a webhook that is not Slack unless any webhook host is allowed, without echoing it', () => {
    let message = '';
    try {
      loadSettings({ ALERT_SLACK_WEBHOOK_URL: 'http://10.0.0.5/hook-secret' });
    } catch (caught) {
      message = (caught as Error).message;
    }
    expect(message).toContain(
      'ALERT_SLACK_WEBHOOK_URL must be a Slack incoming webhook: https://hooks.slack.com/services/…',
    );
    expect(message).not.toContain('hook-secret');
    expect(() => loadSettings({ ALERT_SLACK_WEBHOOK_URL: 'ftp://x/y' })).toThrow(
      'ALERT_SLACK_WEBHOOK_URL must be an http(s) URL',
    );
    // Private RSS sources no longer lift the webhook host rule: it has a setting of its own.
    expect(() =>
      loadSettings({ ALERT_SLACK_WEBHOOK_URL: 'http://127.0.0.1:9000/services/T/B/x', ALLOW_PRIVATE_TARGETS: 'true' }),
    ).toThrow('ALERT_SLACK_WEBHOOK_URL must be a Slack incoming webhook');
    expect(
      loadSettings({ ALERT_SLACK_WEBHOOK_URL: 'http://127.0.0.1:9000/services/T/B/x', ALLOW_ANY_WEBHOOK_HOST: 'true' })
        .ALERT_SLACK_WEBHOOK_URL,
    ).toBe('http://127.0.0.1:9000/services/T/B/x');
  });

  it('should refuse a webhook with userinfo whatever the settings, without echoing it', () => {
    for (const env of [{}, { ALLOW_ANY_WEBHOOK_HOST: 'true' }]) {
      expect(() =>
        loadSettings({ ...env, ALERT_SLACK_WEBHOOK_URL: 'https://:pw-secret@hooks.slack.com/services/T/B/x' }),
      ).toThrow(/^(?!.*pw-secret)[\s\S]*ALERT_SLACK_WEBHOOK_URL must not contain a user name or password/);
    }
  });

  it('should refuse the test-only webhook setting in production', () => {
    expect(() =>
      loadSettings({ NODE_ENV: 'production', APP_SECRET: 'a-real-production-secret', ALLOW_ANY_WEBHOOK_HOST: 'true' }),
    ).toThrow('ALLOW_ANY_WEBHOOK_HOST is for tests; it cannot be set in production');
  });
});
