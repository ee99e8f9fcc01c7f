import { TextDecoder } from 'node:util';
import { cleanText, parseArxivId, parseDoi, type ArxivId } from '@libs/domain';

/**
 * Decodes a feed's bytes. A byte-order mark decides first, then the Content-Type charset (HTTP wins over
 * the document, RFC 7303), then the XML declaration, else UTF-8. rss-parser would read the header only
 * and fall back to UTF-8 for anything Node's Buffer does not know (windows-1251, GBK…); TextDecoder knows
 * the WHATWG encodings.
 */
export function decodeXml(body: Buffer, contentType?: string): string {
  const bom = bomEncoding(body);
  const label = bom ?? charsetOf(contentType) ?? declaredEncoding(body) ?? 'utf-8';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label);
  } catch {
    throw new Error(`the body is in an unknown character encoding "${label}"`);
  }
  // TextDecoder drops the BOM of its own encoding; one left over (declared latin-1, sent UTF-8) is junk too.
  return decoder.decode(body).replace(/^\uFEFF/, '');
}

function bomEncoding(body: Buffer): string | null {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) {
    return 'utf-8';
  }
  if (body[0] === 0xff && body[1] === 0xfe) {
    return 'utf-16le';
  }
  if (body[0] === 0xfe && body[1] === 0xff) {
    return 'utf-16be';
  }
  return null;
}

function charsetOf(contentType: string | undefined): string | null {
  return /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '')?.[1] ?? null;
}

function declaredEncoding(body: Buffer): string | null {
  const head = body.subarray(0, 256).toString('latin1');
  return /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head)?.[1] ?? null;
}

/**
 * A DOI in its normal form (see parseDoi: lower case, decoded, no resolver or `doi:` prefix), or null when
 * `raw` is not one. Text around a DOI in a feed may close a parenthesis the DOI did not open.
 */
export function normaliseDoi(raw: string): string | null {
  let text = raw.trim().replace(/[.,;:]+$/, '');
  // A closing parenthesis belongs to the DOI only when it closes one inside it ("…(20)30183-5)" vs "(doi:…)").
  while (text.endsWith(')') && (text.match(/\(/g) ?? []).length < (text.match(/\)/g) ?? []).length) {
    text = text.slice(0, -1);
  }
  return parseDoi(text);
}

/** The first DOI that `text` marks as one: a doi.org link, `doi:10.…` or `DOI: 10.…`. */
export function findDoi(text: string): string | null {
  const pattern = /(?:doi\.org\/|\bdoi:?\s*)(10\.\d{4,9}\/[^\s"'<>]+)/gi;
  for (const match of text.matchAll(pattern)) {
    const doi = normaliseDoi(match[1]);
    if (doi) {
      return doi;
    }
  }
  return null;
}

/** The first arXiv id in an arxiv.org abs, pdf or html link in `text`. */
export function findArxivId(text: string): ArxivId | null {
  const pattern = /arxiv\.org\/(?:abs|pdf|html)\/([a-z-]+(?:\.[A-Z]{2})?\/\d{7}(?:v\d+)?|\d{4}\.\d{4,5}(?:v\d+)?)/gi;
  for (const match of text.matchAll(pattern)) {
    const id = parseArxivId(match[1]);
    if (id) {
      return id;
    }
  }
  return null;
}

// A part that is only initials or a suffix ("D.", "J.-P.", "AB", "Jr.") belongs to the name before it.
const NAME_TAIL = /^(?:(?:[A-Z]\.\s*-?\s*)+|[A-Z]{1,3}|Jr\.?|Sr\.?|II|III|IV)$/;

/**
 * Authors from a byline: arXiv joins names with commas ("Antonin Monteil, Paul Pegon"), bioRxiv writes
 * "Kukla, D., Crampton, A.", others use semicolons. Trailing initials are put back on their surname.
 */
export function splitAuthors(byline: string): string[] {
  const text = cleanText(byline);
  if (text === '') {
    return [];
  }
  const parts = text.includes(';') ? text.split(';') : text.split(',');
  const names: string[] = [];
  for (const part of parts.map((p) => p.trim()).filter((p) => p !== '')) {
    if (names.length > 0 && !text.includes(';') && NAME_TAIL.test(part)) {
      names[names.length - 1] = `${names[names.length - 1]}, ${part}`;
    } else {
      names.push(part);
    }
  }
  return names;
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1].toLowerCase() === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
  });
}

/** The text of an HTML fragment (a feed item's description), on one line. */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    // Block elements separate words; inline ones (a, em, sub…) sit inside them: "v1</a>;" stays "v1;".
    .replace(
      /<\/?(?:p|div|br|hr|li|ul|ol|dl|dt|dd|h[1-6]|table|tr|td|th|blockquote|pre|section|article)\b[^>]*>/gi,
      ' ',
    )
    .replace(/<[^>]*>/g, '');
  return cleanText(decodeEntities(text));
}

/** Nothing was listed on the web before 1991: an older date is a placeholder such as the epoch. */
const EARLIEST_LISTING = Date.UTC(1991, 0, 1);
/** Clocks and zones disagree a little; a date further ahead than this is wrong. */
const FUTURE_SLACK_MS = 24 * 3600 * 1000;

/**
 * An item's date when it is one it could have been listed at: null when missing, `'invalid'` when it
 * does not parse or lies before 1991 or more than a day after the fetch.
 */
export function itemDate(raw: string | null, fetchedAt: Date): Date | null | 'invalid' {
  if (raw === null) {
    return null;
  }
  const parsed = new Date(raw.trim());
  const time = parsed.getTime();
  if (Number.isNaN(time) || time < EARLIEST_LISTING || time > fetchedAt.getTime() + FUTURE_SLACK_MS) {
    return 'invalid';
  }
  return parsed;
}

type Xml = Record<string, unknown>;

const isRecord = (value: unknown): value is Xml => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The text of a value as xml2js hands it over: a string, `{ _: text, $: attributes }`, or an array of
 * either (the first counts). Null when there is no non-blank text.
 */
export function textOf(value: unknown): string | null {
  const first = Array.isArray(value) ? (value as unknown[])[0] : value;
  const text = typeof first === 'string' ? first : isRecord(first) && typeof first._ === 'string' ? first._ : null;
  return text !== null && text.trim() !== '' ? text.trim() : null;
}

/** The texts of every value (xml2js arrays from `keepArray` custom fields). */
export function textsOf(value: unknown): string[] {
  const values: unknown[] = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.map((item) => textOf(item)).filter((text): text is string => text !== null);
}

/** An attribute of an xml2js element (`{ $: { term: 'cs.LG' } }`). */
export function attributeOf(value: unknown, name: string): string | null {
  const first = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (!isRecord(first) || !isRecord(first.$)) {
    return null;
  }
  const attribute = first.$[name];
  return typeof attribute === 'string' && attribute.trim() !== '' ? attribute.trim() : null;
}

/** The elements of a `keepArray` custom field. */
export function elementsOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}

/** A child element's text (`{ name: ['Ada'] }` → 'Ada'). */
export function childText(value: unknown, name: string): string | null {
  return isRecord(value) ? textOf(value[name]) : null;
}

/** The start of a body, for an error that says what came instead of a feed. */
export function bodyStart(text: string): string {
  return text.trimStart().slice(0, 60).replace(/\s+/g, ' ');
}
