import Parser from 'rss-parser';
import { bodyStart } from './feed-text';

/** An rss-parser custom field: copy `from`, or rename it, keeping every value when `keepArray` is set. */
export type CustomField = string | [string, string] | [string, string, { keepArray: boolean }];

/** An item as rss-parser returns it: its fields, rss-parser's own and the custom ones, as xml2js shaped them. */
export type FeedItem = Parser.Item & Record<string, unknown>;

/** RSS 0.9x, 1.0 and 2.0 or Atom 1.0: the feed's fields and its items. */
export interface FeedDocument {
  fields: Record<string, unknown>;
  items: FeedItem[];
}

/** The body is not a feed at all (HTML, truncated XML, JSON…). */
export class NotAFeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotAFeedError';
  }
}

/** Where an entry's Atom dates land: read them from here, see `parseFeedXml`. */
export const ATOM_PUBLISHED = 'atom-published';
export const ATOM_UPDATED = 'atom-updated';

// rss-parser turns an Atom entry's published/updated into an ISO string and throws on one that does not
// parse, which fails the whole feed: renamed, they reach us as text and a bad one costs only its item.
const RENAMED_TAGS: Record<string, string> = { published: ATOM_PUBLISHED, updated: ATOM_UPDATED };

/**
 * Parses a decoded feed with rss-parser (xml2js in strict mode: no entity expansion beyond XML's five).
 * A new parser each time: xml2js's parser keeps listeners across calls.
 */
export async function parseFeedXml(
  xml: string,
  customFields: { feed?: CustomField[]; item?: CustomField[] },
): Promise<FeedDocument> {
  const parser = new Parser<Record<string, unknown>, Record<string, unknown>>({
    // `<rss>` without a version attribute is read as RSS 2.0 instead of being refused.
    defaultRSS: 2,
    xml2js: { tagNameProcessors: [(name: string) => RENAMED_TAGS[name] ?? name] },
    customFields: customFields as Parser.CustomFields<Record<string, unknown>, Record<string, unknown>>,
  });
  const text = xml.trimStart();
  if (text === '') {
    throw new NotAFeedError('not an RSS or Atom feed: the body is empty');
  }
  let output: Record<string, unknown> & Parser.Output<Record<string, unknown>>;
  try {
    output = await parser.parseString(text);
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
    throw new NotAFeedError(`not an RSS or Atom feed (${reason}); it starts with "${bodyStart(text)}"`);
  }
  const { items, ...fields } = output;
  return { fields, items };
}
