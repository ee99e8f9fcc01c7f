// Control characters but tab and line breaks, and the two non-characters: what neither XML nor an email
// has a use for. The email renderer also marks its holes with some of them (digest-email.ts).
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const UNPRINTABLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Text from a source (a feed's title, an abstract) without the characters a feed or an email cannot carry. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, '');
}
