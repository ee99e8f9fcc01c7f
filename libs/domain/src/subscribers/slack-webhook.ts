/**
 * The one check of a Slack incoming webhook URL (subscriptions and the operators' alert setting): `https://`,
 * host `hooks.slack.com` on the default port, a `/services/…` path, and no userinfo. With `anyHost` (a test
 * setting, for loopback stand-ins) any http(s) host passes, but userinfo never does: credentials in a URL
 * would be sent on as Basic auth, and are a secret the rest of Paperboy does not expect.
 */
export function slackWebhookProblem(url: string, options: { anyHost?: boolean } = {}): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an http(s) URL';
  }
  // `https://:pw@…` has an empty username: the password must be checked too.
  if (parsed.username !== '' || parsed.password !== '' || /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url.trim())) {
    return 'must not contain a user name or password';
  }
  if (options.anyHost) {
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? null : 'must be an http(s) URL';
  }
  const slack =
    parsed.protocol === 'https:' &&
    parsed.hostname === 'hooks.slack.com' &&
    parsed.port === '' &&
    parsed.pathname.startsWith('/services/');
  return slack ? null : 'must be a Slack incoming webhook: https://hooks.slack.com/services/…';
}

/** A Slack incoming webhook URL as `slackWebhookProblem` requires it, with Slack's host. */
export function isSlackWebhook(url: string): boolean {
  return slackWebhookProblem(url) === null;
}
