export type HttpClientErrorKind =
  'invalid-url' | 'blocked-target' | 'timeout' | 'too-large' | 'too-many-redirects' | 'network';

const TRANSIENT_KINDS: ReadonlySet<HttpClientErrorKind> = new Set(['timeout', 'network']);

/**
 * A transport-level failure of `HttpClient.request`. HTTP error statuses are never thrown: callers decide what
 * 4xx/5xx mean. `url` and `message` hold the redacted URL of the hop that failed, so the error is safe to log
 * and to store as a job's failure reason.
 */
export class HttpClientError extends Error {
  override readonly name = 'HttpClientError';
  readonly url: string;

  constructor(
    readonly kind: HttpClientErrorKind,
    readonly method: string,
    url: string,
    /** What went wrong, without the URL (ECONNREFUSED, the timeout, …). */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    const redacted = redactUrl(url);
    super(`${method} ${redacted}: ${detail}`, options);
    this.url = redacted;
  }

  /** Worth retrying later with the same request. */
  get transient(): boolean {
    return TRANSIENT_KINDS.has(this.kind);
  }
}

/** Thrown by `assertPublicAddress`; `HttpClient` reports it as an `HttpClientError` of kind `blocked-target`. */
export class BlockedAddressError extends Error {
  override readonly name = 'BlockedAddressError';

  constructor(
    readonly host: string,
    readonly address: string,
    readonly range: string,
  ) {
    const subject = host === address ? address : `${host} resolves to ${address}, which`;
    super(`${subject} is a ${range} address; only public unicast targets are allowed`);
  }
}

/**
 * A URL safe to log: no userinfo, no query or fragment (they often carry tokens), and no path for Slack
 * incoming webhooks, whose path is the credential itself.
 */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Even an unparseable string may hold a secret: don't echo it.
    return '(unparseable URL)';
  }
  const path = url.hostname.toLowerCase() === 'hooks.slack.com' ? '/services/…' : url.pathname;
  const query = url.search ? '?…' : '';
  return `${url.protocol}//${url.host}${path}${query}`;
}
