import Handlebars from 'handlebars';

/**
 * HTML, for what a template cannot do itself. Text and attribute values use Handlebars' own escaper, the
 * one every `{{field}}` of our templates goes through (& < > " ' ` =), so a value prints alike in both.
 */
export function escapeHtml(text: string | number): string {
  return Handlebars.Utils.escapeExpression(String(text));
}

/**
 * The one check of a link that came from outside (a source's paper URL, a code link) before it is rendered
 * anywhere: an absolute http(s) URL without credentials, normalised (quotes, spaces and angle brackets
 * percent-encoded), or null. `javascript:`, `data:`, `vbscript:`, relative and malformed links are null.
 * Checked where listings are parsed (as safeHttpUrl) and again wherever links are rendered, since rows
 * stored before a check existed may still carry one.
 */
export function safeUrl(url: string | null | undefined): string | null {
  if (typeof url !== 'string') {
    return null;
  }
  let safe = checked.get(url);
  if (safe === undefined) {
    // Browsers strip control characters (`java\tscript:`) before they read a link: any one refuses it.
    const parsed = !CONTROL.test(url) && URL.canParse(url) ? new URL(url) : null;
    safe =
      parsed && (parsed.protocol === 'https:' || parsed.protocol === 'http:') && !parsed.username && !parsed.password
        ? parsed.href
        : null;
    if (checked.size >= CHECKED_MAX) {
      checked.clear();
    }
    checked.set(url, safe);
  }
  return safe;
}

const CONTROL = /\p{Cc}/u;

// A fan-out renders the same papers' links in every email: each is parsed once (2 µs a URL otherwise).
const CHECKED_MAX = 10_000;
const checked = new Map<string, string | null>();
