import { arxivAbsUrl, cleanText, parseArxivId, type ArxivId } from '@libs/domain';
import { attributeOf, elementsOf, itemDate, normaliseDoi, splitAuthors, textOf, textsOf } from '../shared/feed-text';
import { ATOM_PUBLISHED, CustomField, FeedItem, parseFeedXml } from '../shared/feed-xml';
import { ArxivListing, ListingCollector, ParseResult } from '../shared/parse-result';

// rss-parser drops the arXiv namespace, reads only the first dc:creator and no Atom categories unless told.
const ITEM_FIELDS: CustomField[] = [
  ['arxiv:announce_type', 'announceType'],
  ['arxiv:DOI', 'arxivDoi'],
  ['arxiv:journal_reference', 'journalRef'],
  ['dc:creator', 'creators', { keepArray: true }],
  ['category', 'categoryElements', { keepArray: true }],
  [ATOM_PUBLISHED, 'published'],
];

// "arXiv:2203.01250v3 Announce Type: replace-cross \nAbstract: …" (arXiv's RSS and Atom specifications).
const DESCRIPTION = /^arXiv:(\S+)\s+Announce Type:\s*([A-Za-z-]+)\s*(?:Abstract:\s*)?([\s\S]*)$/;
const FIRST_ANNOUNCEMENTS: ReadonlySet<string> = new Set(['new', 'cross']);

const cleanOrNull = (text: string | null): string | null => (text === null ? null : cleanText(text));

/**
 * Parses one of arXiv's announcement feeds, RSS 2.0 or Atom (rss.arxiv.org/{rss,atom}/cs.LG+cs.CL).
 * Each version announced is its own listing (`2203.01250v3`): a replacement is news of its own. An item
 * without an arXiv id or a title is skipped with a reason; a missing date becomes the fetch time.
 */
export async function parseArxivFeed(xml: string, fetchedAt: Date): Promise<ParseResult<ArxivListing>> {
  const feed = await parseFeedXml(xml, { item: ITEM_FIELDS });
  const collector = new ListingCollector<ArxivListing>();
  feed.items.forEach((item, index) => {
    const where = `item ${index} (${textOf(item.guid) ?? textOf(item.id) ?? textOf(item.link) ?? 'no id'})`;
    collector.add(
      where,
      parseItem(item, fetchedAt, (problem) => collector.note(where, problem)),
    );
  });
  return collector.result();
}

function parseItem(item: FeedItem, fetchedAt: Date, note: (problem: string) => void): ArxivListing | string {
  // RSS puts the text in <description> (rss-parser: content), Atom in <summary>.
  const description = textOf(item.content) ?? textOf(item.summary) ?? '';
  const described = DESCRIPTION.exec(description);
  const ids = [textOf(item.guid), textOf(item.id), described?.[1] ?? null, textOf(item.link)]
    .map((candidate) => (candidate === null ? null : parseArxivId(candidate)))
    .filter((id): id is ArxivId => id !== null);
  if (ids.length === 0) {
    return 'no arXiv id in its guid, description or link';
  }
  const id = ids[0].id;
  const version = ids.find((candidate) => candidate.id === id && candidate.version !== null)?.version ?? null;
  const title = textOf(item.title);
  if (!title) {
    return 'no title';
  }
  const announceType = (textOf(item.announceType) ?? described?.[2] ?? null)?.toLowerCase() ?? null;
  const rawDate = textOf(item.published) ?? textOf(item.pubDate);
  const date = itemDate(rawDate, fetchedAt);
  if (date === 'invalid') {
    note(`date "${rawDate}" is not one it could have been listed at; listed at the fetch time`);
  }
  const listedAt = date instanceof Date ? date : fetchedAt;
  const doi = (textOf(item.arxivDoi) ?? '')
    .split(/\s+/)
    .map(normaliseDoi)
    .find((candidate) => candidate !== null);
  const categories = elementsOf(item.categoryElements)
    .map((element) => textOf(element) ?? attributeOf(element, 'term'))
    .filter((term): term is string => term !== null);
  return {
    externalId: version === null ? id : `${id}v${version}`,
    arxivId: id,
    arxivVersion: version,
    doi: doi ?? null,
    announceType,
    title: cleanText(title),
    abstract: cleanText(described ? described[3] : description),
    authors: textsOf(item.creators).flatMap(splitAuthors),
    listedAt,
    // The date is this version's announcement: the paper's own only when this is its first one.
    publishedAt: date instanceof Date && announceType !== null && FIRST_ANNOUNCEMENTS.has(announceType) ? date : null,
    upvotes: null,
    comments: null,
    keywords: [],
    categories: [...new Set(categories)],
    summary: null,
    url: arxivAbsUrl(id),
    codeUrl: null,
    projectUrl: null,
    comment: null,
    journalRef: cleanOrNull(textOf(item.journalRef)),
  };
}
