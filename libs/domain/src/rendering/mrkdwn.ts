import { safeUrl } from './html';

/**
 * Slack mrkdwn. Slack's formatting reference names three characters to escape, & < >, and nothing else:
 * `<!channel>`, `<@U123>` and `<url|label>` all start with `<`. No library needed for three replacements.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escaped, and at most `max` characters: cut with "…", never inside an entity such as `&amp;`. */
export function limitMrkdwn(text: string, max: number): string {
  const escaped = escapeMrkdwn(text);
  return escaped.length <= max ? escaped : `${escaped.slice(0, max - 1).replace(/&[a-z]*$/, '')}…`;
}

/**
 * The target of a `<url|label>` link, or null for a link that must not be rendered (see safeUrl). The
 * characters that would end the link early (`|`, `>`) or start another (`<`) are percent-encoded.
 */
export function mrkdwnLinkTarget(url: string | null | undefined): string | null {
  const safe = safeUrl(url);
  return safe === null ? null : safe.replace(/[<>|]/g, encodeURIComponent);
}

/** A link whose label is already mrkdwn; only the label when the URL is not one to link to. */
export function mrkdwnLink(url: string | null | undefined, label: string): string {
  const target = mrkdwnLinkTarget(url);
  return target === null ? label : `<${target}|${label}>`;
}
