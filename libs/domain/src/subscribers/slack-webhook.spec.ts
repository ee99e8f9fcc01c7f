import { isSlackWebhook, slackWebhookProblem } from './slack-webhook';

describe('slackWebhookProblem', () => {
  it('should accept a Slack incoming webhook', () => {
    expect(slackWebhookProblem('https://hooks.slack.com/services/T0/B0/secret')).toBeNull();
    expect(isSlackWebhook('https://hooks.slack.com/services/T0/B0/secret')).toBe(true);
  });

  it.each([
    'https://hooks.slack.com.evil.example/services/x',
    'http://hooks.slack.com/services/T/B/X',
    'https://hooks.slack.com:8443/services/T/B/X',
    'https://hooks.slack.com/api/T/B/X',
    'http://127.0.0.1:6379/',
    'http://169.254.169.254/latest/meta-data/',
    'not a url',
  ])('should refuse %j', (url) => {
    expect(slackWebhookProblem(url)).not.toBeNull();
    expect(isSlackWebhook(url)).toBe(false);
  });

  it.each([
    'https://:pw@hooks.slack.com/services/T/B/X',
    'https://user@hooks.slack.com/services/T/B/X',
    'https://user:pw@hooks.slack.com/services/T/B/X',
    'https://@hooks.slack.com/services/T/B/X',
  ])('should refuse the userinfo of %j, even with any host allowed', (url) => {
    expect(slackWebhookProblem(url)).toBe('must not contain a user name or password');
    expect(slackWebhookProblem(url, { anyHost: true })).toBe('must not contain a user name or password');
  });

  it('should accept any http(s) host only when told to, for loopback stand-ins', () => {
    expect(slackWebhookProblem('http://127.0.0.1:9000/services/T/B/x')).not.toBeNull();
    expect(slackWebhookProblem('http://127.0.0.1:9000/services/T/B/x', { anyHost: true })).toBeNull();
    expect(slackWebhookProblem('ftp://127.0.0.1/x', { anyHost: true })).toBe('must be an http(s) URL');
  });
});
