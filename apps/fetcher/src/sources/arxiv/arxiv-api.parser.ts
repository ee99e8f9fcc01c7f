import { arxivAbsUrl, cleanText, parseArxivId } from '@libs/domain';
import { attributeOf, childText, elementsOf, itemDate, normaliseDoi, textOf } from '../shared/feed-text';
import { ATOM_PUBLISHED, ATOM_UPDATED, CustomField, FeedItem, parseFeedXml } from '../shared/feed-xml';
import { ArxivListing, ListingCollector, ParseResult } from '../shared/parse-result';

// rss-parser keeps only the first Atom author and no categories unless told (research/sources.md §4.3).
const ITEM_FIELDS: CustomField[] = [
  ['author', 'authorElements', { keepArray: true }],
  ['category', 'categoryElements', { keepArray: true }],
  ['link', 'linkElements', { keepArray: true }],
  ['arxiv:primary_category', 'primaryCategory'],
  ['arxiv:comment', 'comment'],
  ['arxiv:journal_ref', 'journalRef'],
  ['arxiv:doi', 'arxivDoi'],
  [ATOM_PUBLISHED, 'published'],
  [ATOM_UPDATED, 'updated'],
];
const FEED_FIELDS: CustomField[] = [
  ['opensearch:totalResults', 'totalResults'],
  ['opensearch:startIndex', 'startIndex'],
];

// arXiv category terms ("cs.LG", "hep-th"); the API also lists ACM ("I.2.7") and MSC ("68T05") codes.
const ARXIV_CATEGORY = /^[a-z-]+(\.[A-Za-z-]+)?$/;

export interface ArxivApiPage extends ParseResult<ArxivListing> {
  /** `opensearch:totalResults`: how many entries the query matches, over all pages. */
  totalResults: number | null;
  /** The number of entries in this page, broken ones included. */
  entries: number;
}

/** The API answered with its error feed: the query itself is wrong, so asking again will not help. */
export class ArxivApiQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArxivApiQueryError';
  }
}

const cleanOrNull = (text: string | null): string | null => (text === null ? null : cleanText(text));
const count = (value: unknown): number | null => {
  const text = textOf(value);
  return text !== null && /^\d+$/.test(text) ? Number(text) : null;
};

/**
 * Parses one page of export.arxiv.org/api/query (Atom). The listing time is the first version's
 * submission (`published`). An error feed (one entry titled "Error") throws `ArxivApiQueryError`.
 */
export async function parseArxivApi(xml: string, fetchedAt: Date): Promise<ArxivApiPage> {
  const feed = await parseFeedXml(xml, { feed: FEED_FIELDS, item: ITEM_FIELDS });
  const [first] = feed.items;
  if (feed.items.length === 1 && cleanText(textOf(first.title) ?? '') === 'Error') {
    const detail = cleanText(textOf(first.summary) ?? 'no message');
    throw new ArxivApiQueryError(`the arXiv API refused the query: ${detail} (${textOf(first.id) ?? 'no error id'})`);
  }
  const collector = new ListingCollector<ArxivListing>();
  feed.items.forEach((item, index) => {
    const where = `entry ${index} (${textOf(item.id) ?? 'no id'})`;
    collector.add(
      where,
      parseEntry(item, fetchedAt, (problem) => collector.note(where, problem)),
    );
  });
  return { ...collector.result(), totalResults: count(feed.fields.totalResults), entries: feed.items.length };
}

function parseEntry(item: FeedItem, fetchedAt: Date, note: (problem: string) => void): ArxivListing | string {
  const rawId = textOf(item.id);
  const arxiv = rawId === null ? null : parseArxivId(rawId);
  if (!arxiv) {
    return rawId === null ? 'no id' : 'its id is not an arXiv abstract URL';
  }
  const title = textOf(item.title);
  if (!title) {
    return 'no title';
  }
  const rawDate = textOf(item.published) ?? textOf(item.updated);
  const date = itemDate(rawDate, fetchedAt);
  if (date === 'invalid') {
    note(`date "${rawDate}" is not one it could have been submitted at; listed at the fetch time`);
  }
  const links = elementsOf(item.linkElements);
  const doiLink = links.find((link) => attributeOf(link, 'title') === 'doi');
  const doi = normaliseDoi(textOf(item.arxivDoi)?.split(/\s+/)[0] ?? attributeOf(doiLink, 'href') ?? '');
  const primary = attributeOf(item.primaryCategory, 'term');
  const terms = elementsOf(item.categoryElements).map((element) => attributeOf(element, 'term'));
  const categories = [primary, ...terms].filter((term): term is string => term !== null && ARXIV_CATEGORY.test(term));
  const authors = elementsOf(item.authorElements)
    .map((author) => childText(author, 'name'))
    .filter((name): name is string => name !== null)
    .map(cleanText);
  return {
    // One listing per paper: a query by submission date is not news of a new version.
    externalId: arxiv.id,
    arxivId: arxiv.id,
    arxivVersion: arxiv.version,
    doi,
    announceType: null,
    title: cleanText(title),
    abstract: cleanText(textOf(item.summary) ?? ''),
    authors,
    listedAt: date instanceof Date ? date : fetchedAt,
    publishedAt: date instanceof Date ? date : null,
    upvotes: null,
    comments: null,
    keywords: [],
    // The primary category first: the API is the one source that says which it is.
    categories: [...new Set(categories)],
    summary: null,
    url: arxivAbsUrl(arxiv.id),
    codeUrl: null,
    projectUrl: null,
    comment: cleanOrNull(textOf(item.comment)),
    journalRef: cleanOrNull(textOf(item.journalRef)),
  };
}
