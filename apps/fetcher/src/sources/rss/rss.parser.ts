import { parseArxivId, type ParsedListing, safeHttpUrl } from '@libs/domain';
import {
  attributeOf,
  childText,
  elementsOf,
  findArxivId,
  findDoi,
  htmlToText,
  itemDate,
  normaliseDoi,
  splitAuthors,
  textOf,
  textsOf,
} from '../shared/feed-text';
import { ATOM_PUBLISHED, ATOM_UPDATED, CustomField, FeedItem, parseFeedXml } from '../shared/feed-xml';
import { ListingCollector, ParseResult } from '../shared/parse-result';

const ITEM_FIELDS: CustomField[] = [
  ['dc:identifier', 'identifiers', { keepArray: true }],
  ['prism:doi', 'prismDoi'],
  ['dc:creator', 'creators', { keepArray: true }],
  ['author', 'authorElements', { keepArray: true }],
  ['category', 'categoryElements', { keepArray: true }],
  ['link', 'linkElements', { keepArray: true }],
  ['dc:date', 'dcDate'],
  [ATOM_PUBLISHED, 'published'],
  [ATOM_UPDATED, 'updated'],
];

const ARXIV_DOI = '10.48550/arxiv.';

/** Blogs put whole articles in their items; an abstract longer than this is cut. */
const MAX_ABSTRACT = 5000;

/**
 * Parses any RSS (0.9x, 1.0, 2.0) or Atom 1.0 feed: a journal, a blog, bioRxiv. The external id is the
 * guid (RSS), id (Atom) or link; the DOI comes from dc:identifier, prism:doi, a doi.org link or the text;
 * the arXiv id from an arxiv.org link. Items without a title or any id are skipped with a reason.
 */
export async function parseRssFeed(xml: string, fetchedAt: Date): Promise<ParseResult> {
  const feed = await parseFeedXml(xml, { item: ITEM_FIELDS });
  const collector = new ListingCollector<ParsedListing>();
  feed.items.forEach((item, index) => {
    const title = textOf(item.title);
    const where = `item ${index} (${idOf(item) ?? (title === null ? 'no id' : `"${htmlToText(title).slice(0, 60)}"`)})`;
    collector.add(
      where,
      parseItem(item, fetchedAt, (problem) => collector.note(where, problem)),
    );
  });
  return collector.result();
}

/** The item's own id: guid (RSS 2.0), id (Atom), link, rdf:about (RSS 1.0). */
function idOf(item: FeedItem): string | null {
  return textOf(item.guid) ?? textOf(item.id) ?? textOf(item.link) ?? textOf(item['rdf:about']);
}

function parseItem(item: FeedItem, fetchedAt: Date, note: (problem: string) => void): ParsedListing | string {
  const externalId = idOf(item);
  if (externalId === null) {
    return 'no guid, id or link';
  }
  const rawTitle = textOf(item.title);
  const title = rawTitle === null ? '' : htmlToText(rawTitle);
  if (title === '') {
    return 'no title';
  }
  const link = safeHttpUrl(textOf(item.link));
  const hrefs = elementsOf(item.linkElements)
    .map((element) => attributeOf(element, 'href'))
    .filter((href): href is string => href !== null);
  // RSS: <description> (rss-parser: content) and content:encoded; Atom: <summary> and <content>.
  const texts = [item.summary, item.content, item['content:encoded']].map(textOf);
  const abstract = htmlToText(texts.find((text) => text !== null) ?? '');
  const searchable = [externalId, link, ...hrefs, ...texts].filter((text) => text !== null).join(' ');
  const doi =
    [...textsOf(item.identifiers), textOf(item.prismDoi) ?? '']
      .filter((candidate) => /^(?:doi:|info:doi\/|https?:\/\/(?:dx\.)?doi\.org\/|10\.)/i.test(candidate))
      .map(normaliseDoi)
      .find((candidate) => candidate !== null) ?? findDoi(searchable);
  // arXiv's own DOIs (10.48550/arXiv.2410.17243) name the paper too.
  const arxiv =
    findArxivId(searchable) ?? (doi?.startsWith(ARXIV_DOI) ? parseArxivId(doi.slice(ARXIV_DOI.length)) : null);
  const rawDate = textOf(item.published) ?? textOf(item.pubDate) ?? textOf(item.dcDate) ?? textOf(item.updated);
  const date = itemDate(rawDate, fetchedAt);
  if (date === 'invalid') {
    note(`date "${rawDate}" is not one it could have been listed at; listed at the fetch time`);
  }
  return {
    externalId,
    arxivId: arxiv?.id ?? null,
    arxivVersion: arxiv?.version ?? null,
    doi,
    announceType: null,
    title,
    abstract: abstract.length > MAX_ABSTRACT ? `${abstract.slice(0, MAX_ABSTRACT - 1)}…` : abstract,
    authors: authorsOf(item),
    listedAt: date instanceof Date ? date : fetchedAt,
    publishedAt: date instanceof Date ? date : null,
    upvotes: null,
    comments: null,
    keywords: [],
    categories: [...new Set(categoriesOf(item))],
    summary: null,
    url: link ?? safeHttpUrl(hrefs[0] ?? null),
    codeUrl: null,
    projectUrl: null,
  };
}

function authorsOf(item: FeedItem): string[] {
  const creators = textsOf(item.creators).flatMap(splitAuthors);
  if (creators.length > 0) {
    return creators;
  }
  // Atom: <author><name>…</name></author>; RSS 2.0: <author>email (Name)</author>.
  return elementsOf(item.authorElements)
    .map((author) => childText(author, 'name') ?? textOf(author))
    .filter((name): name is string => name !== null)
    .map((name) => /^\S+@\S+\s+\((.+)\)$/.exec(name)?.[1] ?? name)
    .flatMap(splitAuthors);
}

function categoriesOf(item: FeedItem): string[] {
  return elementsOf(item.categoryElements)
    .map((element) => textOf(element) ?? attributeOf(element, 'label') ?? attributeOf(element, 'term'))
    .filter((category): category is string => category !== null)
    .map(htmlToText);
}
