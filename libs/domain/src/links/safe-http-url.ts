/** An absolute http(s) URL as a link may carry it: no whitespace or control characters anywhere. */
const HTTP_URL = /^https?:\/\/[^\s\p{Cc}]+$/iu;

/**
 * The link itself when it is an absolute http(s) URL, else null. Sources are not trusted: a `javascript:`,
 * `data:` or `vbscript:` link (or one hidden behind spaces or control characters, which browsers strip)
 * must never become a link in an email, a feed, a page or the API. Checked where listings are parsed and
 * again wherever links are rendered, since rows stored before a check existed may still carry one.
 */
export function safeHttpUrl(url: string | null | undefined): string | null {
  return typeof url === 'string' && HTTP_URL.test(url) && URL.canParse(url) ? url : null;
}
