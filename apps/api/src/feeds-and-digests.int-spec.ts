import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import Handlebars from 'handlebars';
import Parser from 'rss-parser';
import { Response } from 'supertest';
import { signToken, TokenPurpose, verifyToken } from '@libs/domain';
import { ApiApp, insertPapers, startApiApp } from '../../../test/support/api-app';
import { waitFor } from '../../../test/support/processes';
import { childNamed, childrenNamed, parseStrictXml, XmlElement } from '../../../test/support/strict-xml';
const SECRET = 'feeds-int-secret-feeds-int-secret-0042';
// A trailing slash on purpose: every link must still be <origin>/feeds/…, never <origin>//feeds/….
const PUBLIC_URL = 'https://paperboy.example.org/';
const BASE = 'https://paperboy.example.org';
const ATOM_NS = 'http://www.w3.org/2005/Atom';
const FORMATS = ['rss', 'atom', 'json'] as const;
type Format = (typeof FORMATS)[number];
const CONTENT_TYPES: Record<Format, RegExp> = {
  rss: /^application\/rss\+xml(;|$)/,
  atom: /^application\/atom\+xml(;|$)/,
  json: /^application\/feed\+json(;|$)/,
};
// eslint-disable-next-line no-control-regex
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

/** A feed item as every format can express it. */
interface FeedItem {
  id: string;
  title: string;
  link: string;
  /** ISO 8601 as the format gives it: RSS pubDate, Atom published or updated, JSON date_published or date_modified. */
  date: string | undefined;
}

interface Feed {
  title: string;
  /** The feed's link to itself (RSS atom:link rel=self, Atom link rel=self, JSON feed_url). */
  self: string | undefined;
  items: FeedItem[];
}

interface JsonFeedItem {
  id?: unknown;
  authors?: unknown;
  url?: unknown;
  title?: unknown;
  content_html?: unknown;
  content_text?: unknown;
  date_published?: unknown;
  date_modified?: unknown;
}

interface JsonFeedDocument {
  version?: unknown;
  title?: unknown;
  home_page_url?: unknown;
  feed_url?: unknown;
  items?: unknown;
}

interface SubscriptionRow {
  id: string;
  email: string | null;
  slackWebhookUrl: string | null;
  status: 'pending' | 'active' | 'unsubscribed';
  topics: string[];
  keywords: string[];
  excludeTopics: string[];
  minUpvotes: number;
  frequency: string;
  activatedAt: Date | null;
  unsubscribedAt: Date | null;
}

interface ActiveAnswer {
  status: 'active';
  id: string;
  unsubscribeUrl: string;
  feeds: Record<Format, string>;
}

interface PaperFixture {
  arxivId: string | null;
  title: string;
  listedAt: string;
  abstract?: string;
  authors?: string[];
  url?: string | null;
  ready?: boolean;
}

const decodeHtml = (html: string): string =>
  html.replace(/&(amp|lt|gt|quot|#39|#x27|#x3D|#x60);/g, (_match, entity: string) => {
    const decoded: Record<string, string> = {
      amp: '&',
      lt: '<',
      gt: '>',
      quot: '"',
      '#39': "'",
      '#x27': "'",
      '#x3D': '=',
      '#x60': '`',
    };
    return decoded[entity];
  });
/** Text as the web pages' template engine escapes it. */
const escapeHtml = (text: string): string => Handlebars.escapeExpression(text);
/**
 * Text as a feed may legitimately carry it: characters XML forbids dropped (they cannot be represented),
 * and "]] >" taken for "]]>" (the service breaks the CDATA terminator up on purpose).
 */
const asCarried = (text: string): string =>
  text.replace(new RegExp(XML_FORBIDDEN.source, 'g'), '').replace(/]] >/g, ']]>');
const isRfc3339 = (value: unknown): boolean =>
  typeof value === 'string' &&
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) &&
  !Number.isNaN(Date.parse(value));

/** The api in-process against real Postgres and Redis: public and personal feeds, the digest web view. */
describe('feeds and digest view (integration)', () => {
  let api: ApiApp;
  let sql: Client;

  beforeAll(async () => {
    api = await startApiApp('feeds', {
      APP_SECRET: SECRET,
      PUBLIC_URL,
      ALLOW_PRIVATE_TARGETS: 'false',
      // These tests subscribe many times from one address; the limit has its own test.
      SUBSCRIBE_RATE_LIMIT: '10000',
    });
    sql = api.sql;
  }, 60_000);

  afterAll(() => api?.close());

  const http = () => api.http();
  const get = (path: string): Promise<Response> => http().get(path);
  /** The path of an absolute link the api made, checked to be under PUBLIC_URL. */
  const pathOf = (url: string): string => {
    expect(url.startsWith(`${BASE}/`)).toBe(true);
    expect(url.startsWith(`${BASE}//`)).toBe(false);
    return url.slice(BASE.length);
  };
  const subscribe = (body: object): Promise<Response> =>
    http().post('/api/subscriptions').set('content-type', 'application/json').send(body);
  const rowById = async (id: string): Promise<SubscriptionRow> => {
    const { rows } = await sql.query<SubscriptionRow>('SELECT * FROM subscriptions WHERE id = $1', [id]);
    expect(rows).toHaveLength(1);
    return rows[0];
  };

  const insertPaper = async (paper: PaperFixture): Promise<string> =>
    (await insertPapers(sql, [{ abstract: `Abstract of ${paper.title}.`, authors: ['Ada Lovelace'], ...paper }]))[0];
  const insertSubscription = async (fields: {
    email: string | null;
    status: 'pending' | 'active';
  }): Promise<string> => {
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO subscriptions (email, status, topics, frequency, timezone, "sendHour", "activatedAt")
       VALUES ($1, $2, '{llm}', 'daily', 'UTC', 8, CASE WHEN $2 = 'active' THEN now() ELSE NULL END) RETURNING id`,
      [fields.email, fields.status],
    );
    return rows[0].id;
  };
  /** A sent digest of these papers, ranked in the order given; rows are written in reverse rank order. */
  const insertDigest = async (
    subscriptionId: string,
    periodKey: string,
    at: string,
    paperIds: string[],
  ): Promise<string> => {
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO digests ("subscriptionId", "periodKey", "dueAt", status, "paperCount", "builtAt", "createdAt")
       VALUES ($1, $2, $3, 'sent', $4, $3, $3) RETURNING id`,
      [subscriptionId, periodKey, at, paperIds.length],
    );
    const digestId = rows[0].id;
    for (let index = paperIds.length - 1; index >= 0; index -= 1) {
      await sql.query(
        `INSERT INTO digest_papers ("digestId", "paperId", "subscriptionId", rank) VALUES ($1, $2, $3, $4)`,
        [digestId, paperIds[index], subscriptionId, index + 1],
      );
    }
    return digestId;
  };
  /** The feed item id the api gives a paper: arxiv:<id>, else paperboy:<uuid>. */
  const itemIdsOf = async (paperIds: string[]): Promise<string[]> => {
    const { rows } = await sql.query<{ id: string; arxivId: string | null }>(
      `SELECT id, "arxivId" FROM papers WHERE id = ANY($1::uuid[])`,
      [paperIds],
    );
    const byId = new Map(rows.map((row) => [row.id, row.arxivId ? `arxiv:${row.arxivId}` : `paperboy:${row.id}`]));
    return paperIds.map((id) => byId.get(id) as string);
  };

  /** Checks one feed response (status, content type, strict well-formedness) and reads it in its format. */
  const readFeed = async (format: Format, response: Response): Promise<Feed> => {
    expect({ format, status: response.status }).toEqual({ format, status: 200 });
    expect(response.headers['content-type']).toMatch(CONTENT_TYPES[format]);
    expect(response.headers['content-type']).toMatch(/charset=utf-8/i);
    if (format === 'json') {
      const document = JSON.parse(response.text) as JsonFeedDocument;
      expect(Array.isArray(document.items)).toBe(true);
      const items = document.items as JsonFeedItem[];
      return {
        title: String(document.title),
        self: typeof document.feed_url === 'string' ? document.feed_url : undefined,
        items: items.map((item) => ({
          id: String(item.id),
          title: String(item.title),
          link: String(item.url),
          date: [item.date_published, item.date_modified].find((date): date is string => typeof date === 'string'),
        })),
      };
    }
    const root = parseStrictXml(response.text);
    const parsed = await new Parser().parseString(response.text);
    if (format === 'rss') {
      expect({ root: root.local, version: root.attributes.version }).toEqual({ root: 'rss', version: '2.0' });
      const channel = childNamed(root, 'channel');
      const self = childrenNamed(channel, 'link', ATOM_NS).find((link) => link.attributes.rel === 'self');
      return {
        title: parsed.title ?? '',
        self: self?.attributes.href,
        items: parsed.items.map((item) => ({
          id: item.guid ?? '',
          title: item.title ?? '',
          link: item.link ?? '',
          date: item.isoDate,
        })),
      };
    }
    expect({ root: root.local, uri: root.uri }).toEqual({ root: 'feed', uri: ATOM_NS });
    const self = childrenNamed(root, 'link', ATOM_NS).find((link) => link.attributes.rel === 'self');
    return {
      title: parsed.title ?? '',
      self: self?.attributes.href,
      items: parsed.items.map((item) => ({
        id: typeof item.id === 'string' ? item.id : '',
        title: item.title ?? '',
        link: item.link ?? '',
        date: item.isoDate,
      })),
    };
  };
  const fetchFeed = async (format: Format, path: string): Promise<Feed> => readFeed(format, await get(path));

  describe('public feeds /feeds/papers.{rss,atom,json}', () => {
    const TRICKY_TITLE = 'Scaling <Transformers> & Friends: when "]]>" ends CDATA, twice ]]>\u0001 and done';
    const TRICKY_ABSTRACT =
      'We prove x < y && y > z for all n and predict the <mask> token; the string ]]> appears here and ]]> there, with \u0001 too.';
    const papers: Record<'newest' | 'noArxiv' | 'tricky' | 'oldest' | 'unready', string> = {
      newest: '',
      noArxiv: '',
      tricky: '',
      oldest: '',
      unready: '',
    };

    beforeAll(async () => {
      // Inserted out of date order, so the feeds' order comes from listedAt rather than insertion.
      papers.tricky = await insertPaper({
        arxivId: '2410.10002',
        title: TRICKY_TITLE,
        abstract: TRICKY_ABSTRACT,
        authors: ['Ada & <Bob>', 'Grace\u0001 Hopper'],
        url: 'https://arxiv.org/abs/2410.10002',
        listedAt: '2024-10-02T08:00:00Z',
      });
      await sql.query(
        `INSERT INTO paper_topics ("paperId", topic, score, evidence) VALUES ($1, 'llm', 0.9, '{}'), ($1, 'agents', 0.4, '{}')`,
        [papers.tricky],
      );
      papers.oldest = await insertPaper({
        arxivId: '2410.10001',
        title: 'Oldest public paper',
        listedAt: '2024-10-01T08:00:00Z',
      });
      papers.newest = await insertPaper({
        arxivId: '2410.10004',
        title: 'Newest public paper',
        listedAt: '2024-10-04T08:00:00Z',
      });
      papers.noArxiv = await insertPaper({
        arxivId: null,
        title: 'A paper without an arXiv id',
        url: 'https://example.org/papers/no-arxiv',
        listedAt: '2024-10-03T08:00:00Z',
      });
      // LaTeX as arXiv metadata carries it (see readableLatex).
      await insertPaper({
        arxivId: '2409.10007',
        title: 'Sorting in $\\mathcal{O}(n \\log n)$ with \\model, fast',
        abstract: 'We show $\\alpha \\leq 1$ for \\textbf{every} $x_i^2$.',
        authors: ['Kurt G\\"odel', 'Ada Lovelace'],
        listedAt: '2024-09-15T08:00:00Z',
      });
      papers.unready = await insertPaper({
        arxivId: '2410.10009',
        title: 'Not classified yet',
        listedAt: '2024-10-09T08:00:00Z',
        ready: false,
      });
    });

    /** Every ready paper's item id, newest listing first: what each public feed must list. */
    const expectedPublicIds = async (): Promise<string[]> => {
      const { rows } = await sql.query<{ id: string }>(
        `SELECT id FROM papers WHERE "readyAt" IS NOT NULL ORDER BY "listedAt" DESC, id ASC`,
      );
      return itemIdsOf(rows.map((row) => row.id));
    };

    it('should serve each format with its own content type (rss+xml, atom+xml, feed+json) and public caching', async () => {
      for (const format of FORMATS) {
        const response = await get(`/feeds/papers.${format}`);

        expect({ format, status: response.status }).toEqual({ format, status: 200 });
        const type = String(response.headers['content-type']);
        expect({ format, type, matches: CONTENT_TYPES[format].test(type) }).toEqual({ format, type, matches: true });
        expect(response.headers['cache-control']).toMatch(/\bpublic\b/);
      }
    });

    it('should produce RSS 2.0 and Atom that both rss-parser and a strict XML parser accept', async () => {
      for (const format of ['rss', 'atom'] as const) {
        const response = await get(`/feeds/papers.${format}`);

        expect(response.status).toBe(200);
        expect(() => parseStrictXml(response.text)).not.toThrow();
        expect(response.text.startsWith('<?xml')).toBe(true);
        const parsed = await new Parser().parseString(response.text);
        expect(parsed.title).toBe('Paperboy: latest papers');
        expect(parsed.items.length).toBeGreaterThanOrEqual(4);
      }
    });

    it('should produce a JSON Feed 1.1 document: version, title, items with id, url, title and date_published', async () => {
      const response = await get('/feeds/papers.json');

      expect(response.status).toBe(200);
      const document = JSON.parse(response.text) as JsonFeedDocument;
      expect(document.title).toBe('Paperboy: latest papers');
      expect(Array.isArray(document.items)).toBe(true);
      const items = document.items as JsonFeedItem[];
      expect(items.length).toBeGreaterThanOrEqual(4);
      // Every departure from the spec at once, so one failure tells the whole story.
      const problems: string[] = [];
      if (document.version !== 'https://jsonfeed.org/version/1.1') {
        problems.push(`version is ${JSON.stringify(document.version)}`);
      }
      for (const item of items) {
        const label = `item ${String(item.id)}`;
        if (typeof item.id !== 'string' || item.id === '') {
          problems.push(`${label}: id is not a non-empty string`);
        }
        if (typeof item.url !== 'string' || !URL.canParse(item.url)) {
          problems.push(`${label}: url ${JSON.stringify(item.url)} is not a URL`);
        }
        if (typeof item.title !== 'string') {
          problems.push(`${label}: no title`);
        }
        if (!isRfc3339(item.date_published)) {
          problems.push(`${label}: date_published is ${JSON.stringify(item.date_published)}`);
        }
        if (typeof item.content_html !== 'string' && typeof item.content_text !== 'string') {
          problems.push(`${label}: neither content_html nor content_text`);
        }
      }
      const newest = items.find((item) => item.id === 'arxiv:2410.10004');
      if (newest?.date_published !== '2024-10-04T08:00:00.000Z') {
        problems.push(`the newest paper's date_published is not its listing date 2024-10-04T08:00:00.000Z`);
      }
      expect(problems.slice(0, 8)).toEqual([]);
    });

    it('should produce Atom entries RFC 4287 accepts: id, title, updated, link, author, categories with a term', async () => {
      const atom = parseStrictXml((await get('/feeds/papers.atom')).text);
      const problems: string[] = [];
      for (const local of ['id', 'title', 'updated']) {
        if (childrenNamed(atom, local, ATOM_NS).length !== 1) {
          problems.push(`feed: not exactly one <${local}>`);
        }
      }
      const entries = childrenNamed(atom, 'entry', ATOM_NS);
      expect(entries.length).toBeGreaterThanOrEqual(4);
      for (const entry of entries) {
        const id = childrenNamed(entry, 'id', ATOM_NS)[0]?.text ?? '(no id)';
        for (const local of ['id', 'title', 'updated']) {
          if (childrenNamed(entry, local, ATOM_NS).length !== 1) {
            problems.push(`${id}: not exactly one <${local}>`);
          }
        }
        if (!URL.canParse(id)) {
          problems.push(`${id}: the id is not an IRI`);
        }
        if (!childrenNamed(entry, 'link', ATOM_NS).some((link) => URL.canParse(link.attributes.href ?? ''))) {
          problems.push(`${id}: no <link href>`);
        }
        if (
          childrenNamed(entry, 'author', ATOM_NS).length === 0 &&
          childrenNamed(atom, 'author', ATOM_NS).length === 0
        ) {
          problems.push(`${id}: no <author> in the entry or the feed`);
        }
        for (const category of childrenNamed(entry, 'category', ATOM_NS)) {
          if (!category.attributes.term) {
            problems.push(
              `${id}: <category> without the required term (attributes: ${JSON.stringify(category.attributes)})`,
            );
          }
        }
      }
      // The tricky paper carries two topics: their terms are the topic slugs.
      const tricky = entries.find((entry) => childNamed(entry, 'id', ATOM_NS).text === 'arxiv:2410.10002');
      const terms = childrenNamed(tricky as XmlElement, 'category', ATOM_NS).map(
        (category) => category.attributes.term,
      );
      if (JSON.stringify(terms) !== JSON.stringify(['llm', 'agents'])) {
        problems.push(`arxiv:2410.10002: category terms are ${JSON.stringify(terms)}, not ["llm","agents"]`);
      }
      expect(problems.slice(0, 8)).toEqual([]);
    });

    it('should list the same ready papers in all three formats, newest listing first, leaving out unready papers', async () => {
      const expected = await expectedPublicIds();
      expect(expected.slice(0, 4)).toEqual([
        'arxiv:2410.10004',
        `paperboy:${papers.noArxiv}`,
        'arxiv:2410.10002',
        'arxiv:2410.10001',
      ]);

      for (const format of FORMATS) {
        const feed = await fetchFeed(format, `/feeds/papers.${format}`);

        expect({ format, ids: feed.items.map((item) => item.id) }).toEqual({ format, ids: expected });
        expect(feed.items.some((item) => item.title === 'Not classified yet')).toBe(false);
        const byId = new Map(feed.items.map((item) => [item.id, item]));
        expect(byId.get('arxiv:2410.10004')).toEqual({
          id: 'arxiv:2410.10004',
          title: 'Newest public paper',
          link: 'https://arxiv.org/abs/2410.10004',
          date: '2024-10-04T08:00:00.000Z',
        });
        expect(byId.get(`paperboy:${papers.noArxiv}`)?.link).toBe('https://example.org/papers/no-arxiv');
      }
    });

    it('should keep a title and abstract with &, <, two "]]>" and a U+0001 well-formed in every format', async () => {
      for (const format of FORMATS) {
        const response = await get(`/feeds/papers.${format}`);
        const feed = await readFeed(format, response);

        expect(response.text).not.toMatch(XML_FORBIDDEN);
        const tricky = feed.items.find((item) => item.id === 'arxiv:2410.10002');
        // Atom declares its title type="html": a reader decodes it, rss-parser hands it over as is.
        const title = format === 'atom' ? decodeHtml(tricky?.title ?? '') : (tricky?.title ?? '');
        expect({ format, title: asCarried(title) }).toEqual({ format, title: asCarried(TRICKY_TITLE) });
      }

      // The abstract too, read by the strict parser from the raw XML.
      const rss = parseStrictXml((await get('/feeds/papers.rss')).text);
      const rssItem = childrenNamed(childNamed(rss, 'channel'), 'item').find(
        (item) => childNamed(item, 'guid').text === 'arxiv:2410.10002',
      );
      // An RSS description is HTML: the plain-text abstract arrives escaped and decodes back to itself.
      expect(asCarried(decodeHtml(rssItem ? childNamed(rssItem, 'description').text : ''))).toBe(
        asCarried(TRICKY_ABSTRACT),
      );
      const atom = parseStrictXml((await get('/feeds/papers.atom')).text);
      const atomEntry = childrenNamed(atom, 'entry', ATOM_NS).find(
        (entry) => childNamed(entry, 'id', ATOM_NS).text === 'arxiv:2410.10002',
      );
      expect(atomEntry).toBeDefined();
      const json = JSON.parse((await get('/feeds/papers.json')).text) as { items: JsonFeedItem[] };
      const jsonItem = json.items.find((item) => item.id === 'arxiv:2410.10002');
      const jsonBody = jsonItem?.content_text ?? jsonItem?.content_html;
      expect(typeof jsonBody).toBe('string');
    });

    it('should show LaTeX in titles, abstracts and authors as readable text in every format', async () => {
      const title = 'Sorting in 𝒪(n log n) with, fast';
      const abstract = 'We show α ≤ 1 for every xᵢ².';
      for (const format of FORMATS) {
        const feed = await fetchFeed(format, `/feeds/papers.${format}`);
        const item = feed.items.find((entry) => entry.id === 'arxiv:2409.10007');
        const shown = format === 'atom' ? decodeHtml(item?.title ?? '') : item?.title;
        expect({ format, title: shown }).toEqual({ format, title });
      }
      const rss = parseStrictXml((await get('/feeds/papers.rss')).text);
      const rssItem = childrenNamed(childNamed(rss, 'channel'), 'item').find(
        (entry) => childNamed(entry, 'guid').text === 'arxiv:2409.10007',
      );
      expect(decodeHtml(rssItem ? childNamed(rssItem, 'description').text : '')).toBe(abstract);
      const json = JSON.parse((await get('/feeds/papers.json')).text) as { items: JsonFeedItem[] };
      const jsonItem = json.items.find((entry) => entry.id === 'arxiv:2409.10007');
      expect(jsonItem?.content_text).toBe(abstract);
      expect(jsonItem?.authors).toEqual([{ name: 'Kurt Gödel' }, { name: 'Ada Lovelace' }]);
    });

    it('should write JSON Feed 1.1 authors (every author of a paper), never the deprecated author', async () => {
      const document = JSON.parse((await get('/feeds/papers.json')).text) as JsonFeedDocument & {
        author?: unknown;
        authors?: unknown;
        language?: unknown;
        items: JsonFeedItem[];
      };
      expect(document.version).toBe('https://jsonfeed.org/version/1.1');
      expect(document.authors).toEqual([{ name: 'Paperboy' }]);
      expect(document.language).toBe('en');
      expect('author' in document).toBe(false);
      expect(document.items.filter((item) => 'author' in item)).toEqual([]);
      const tricky = document.items.find((item) => item.id === 'arxiv:2410.10002');
      expect(tricky?.authors).toEqual([{ name: 'Ada & <Bob>' }, { name: 'Grace Hopper' }]);
    });

    it('should present titles and abstracts as text: a field declared HTML carries them HTML-escaped', async () => {
      // Atom's type="html" (and RSS descriptions, and JSON Feed's content_html) are read as HTML by feed
      // readers: a raw "<Transformers>" there is an unknown tag that vanishes, "x < y" breaks the markup.
      const problems: string[] = [];
      const checkHtml = (label: string, html: string, expected: string): void => {
        if (/<[A-Za-z/!?]/.test(html)) {
          problems.push(`${label} is declared HTML but carries raw markup: ${JSON.stringify(html.slice(0, 60))}`);
        } else if (asCarried(decodeHtml(html)) !== asCarried(expected)) {
          problems.push(`${label} reads as ${JSON.stringify(decodeHtml(html))}`);
        }
      };
      const atom = parseStrictXml((await get('/feeds/papers.atom')).text);
      const entry = childrenNamed(atom, 'entry', ATOM_NS).find(
        (e) => childNamed(e, 'id', ATOM_NS).text === 'arxiv:2410.10002',
      );
      expect(entry).toBeDefined();
      for (const [local, expected] of [
        ['title', TRICKY_TITLE],
        ['summary', TRICKY_ABSTRACT],
      ] as const) {
        const element = childNamed(entry as XmlElement, local, ATOM_NS);
        const type = element.attributes.type ?? 'text';
        if (type === 'html') {
          checkHtml(`atom <${local} type="html">`, element.text, expected);
        } else if (type !== 'text' || asCarried(element.text) !== asCarried(expected)) {
          problems.push(`atom <${local} type="${type}"> reads as ${JSON.stringify(element.text)}`);
        }
      }

      const rss = parseStrictXml((await get('/feeds/papers.rss')).text);
      const item = childrenNamed(childNamed(rss, 'channel'), 'item').find(
        (i) => childNamed(i, 'guid').text === 'arxiv:2410.10002',
      );
      checkHtml('rss <description>', item ? childNamed(item, 'description').text : '', TRICKY_ABSTRACT);

      const json = JSON.parse((await get('/feeds/papers.json')).text) as { items: JsonFeedItem[] };
      const jsonItem = json.items.find((i) => i.id === 'arxiv:2410.10002');
      if (typeof jsonItem?.content_html === 'string') {
        checkHtml('json content_html', jsonItem.content_html, TRICKY_ABSTRACT);
      } else if (asCarried(String(jsonItem?.content_text)) !== asCarried(TRICKY_ABSTRACT)) {
        problems.push(`json content_text reads as ${JSON.stringify(jsonItem?.content_text)}`);
      }
      expect(problems).toEqual([]);
    });

    it('should give every item the same id on every request: arxiv:<id>, else paperboy:<uuid>', async () => {
      for (const format of FORMATS) {
        const first = await fetchFeed(format, `/feeds/papers.${format}`);
        const second = await fetchFeed(format, `/feeds/papers.${format}`);

        const ids = first.items.map((item) => item.id);
        expect(second.items.map((item) => item.id)).toEqual(ids);
        expect(ids).toContain('arxiv:2410.10001');
        expect(ids).toContain(`paperboy:${papers.noArxiv}`);
        for (const id of ids) {
          expect(id).toMatch(/^(arxiv:\d{4}\.\d{4,5}|paperboy:[0-9a-f-]{36})$/);
        }
      }
    });

    it('should link each feed to itself under PUBLIC_URL (RSS atom:link, Atom link rel=self, JSON feed_url)', async () => {
      for (const format of FORMATS) {
        const feed = await fetchFeed(format, `/feeds/papers.${format}`);

        expect({ format, self: feed.self }).toEqual({ format, self: `${BASE}/feeds/papers.${format}` });
      }
      const rss = parseStrictXml((await get('/feeds/papers.rss')).text);
      expect(childNamed(childNamed(rss, 'channel'), 'link', '').text).toBe(`${BASE}/`);
      const json = JSON.parse((await get('/feeds/papers.json')).text) as JsonFeedDocument;
      expect(String(json.home_page_url).replace(/\/$/, '')).toBe(BASE);
    });

    it('should answer 400 or 404, not 500, for a format it does not serve (papers.xml, subscription.xml)', async () => {
      for (const path of [
        '/feeds/papers.xml',
        '/feeds/papers.',
        '/feeds/subscription.xml?token=x',
        '/feeds/papers.RSS',
      ]) {
        const response = await get(path);

        expect({ path, status: [400, 404].includes(response.status) }).toEqual({ path, status: true });
      }
    });
  });

  describe('topic feeds /feeds/topics/:slug.{rss,atom,json} and keyword feeds ?q=', () => {
    const ids: Record<'armNew' | 'armOld' | 'softBody' | 'grasp' | 'vision' | 'unready', string> = {
      armNew: '',
      armOld: '',
      softBody: '',
      grasp: '',
      vision: '',
      unready: '',
    };
    const tag = (paperId: string, topic: string): Promise<unknown> =>
      sql.query(`INSERT INTO paper_topics ("paperId", topic, score, evidence) VALUES ($1, $2, 5, '{}')`, [
        paperId,
        topic,
      ]);

    beforeAll(async () => {
      ids.armOld = await insertPaper({
        arxivId: '2411.20001',
        title: 'A robot arm that learns to grip: the gripper paper',
        abstract: 'A gripper for robot arms; the string ]]> and \u0002 appear in this abstract.',
        listedAt: '2024-11-01T08:00:00Z',
      });
      ids.armNew = await insertPaper({
        arxivId: '2411.20002',
        title: 'Dexterous manipulation with tactile sensing',
        listedAt: '2024-11-03T08:00:00Z',
      });
      ids.softBody = await insertPaper({
        arxivId: '2411.20003',
        title: 'Soft-body simulation for robot learning',
        listedAt: '2024-11-02T08:00:00Z',
      });
      // A far better match for "gripper" than the robotics paper, but older: feeds are newest first, not by rank.
      ids.grasp = await insertPaper({
        arxivId: '2411.20004',
        title: 'Gripper gripper gripper: a survey of gripper designs',
        abstract: 'Every gripper, gripper after gripper.',
        listedAt: '2024-10-20T08:00:00Z',
      });
      ids.vision = await insertPaper({
        arxivId: '2411.20005',
        title: 'Segment anything, faster',
        listedAt: '2024-11-04T08:00:00Z',
      });
      ids.unready = await insertPaper({
        arxivId: '2411.20006',
        title: 'An unclassified robot gripper',
        listedAt: '2024-11-05T08:00:00Z',
        ready: false,
      });
      for (const id of [ids.armOld, ids.armNew, ids.softBody, ids.unready]) {
        await tag(id, 'robotics');
      }
      await tag(ids.vision, 'vision');
      // Public feeds check for changed papers at most once a second.
      await new Promise((resolve) => setTimeout(resolve, 1100));
    });

    it("should list exactly a topic's ready papers, newest first, with the topic's name and self link, in every format", async () => {
      for (const format of FORMATS) {
        const response = await get(`/feeds/topics/robotics.${format}`);
        const feed = await readFeed(format, response);

        expect(response.headers['cache-control']).toMatch(/\bpublic\b/);
        expect(feed.title).toBe('Paperboy: Robotics');
        expect({ format, self: feed.self }).toEqual({ format, self: `${BASE}/feeds/topics/robotics.${format}` });
        expect({ format, ids: feed.items.map((item) => item.id) }).toEqual({
          format,
          ids: await itemIdsOf([ids.armNew, ids.softBody, ids.armOld]),
        });
      }
    });

    it('should list the papers matching ?q= newest first (not best match first), with the query in title and self link', async () => {
      for (const format of FORMATS) {
        const feed = await fetchFeed(format, `/feeds/papers.${format}?q=gripper`);

        expect(feed.title).toBe('Paperboy: papers matching "gripper"');
        expect({ format, self: feed.self }).toEqual({ format, self: `${BASE}/feeds/papers.${format}?q=gripper` });
        expect({ format, ids: feed.items.map((item) => item.id) }).toEqual({
          format,
          ids: await itemIdsOf([ids.armOld, ids.grasp]),
        });
      }
    });

    it('should read ?q= as GET /api/papers does: a hyphenated word, -exclude, and a topic feed narrowed by a query', async () => {
      const softBody = await fetchFeed('rss', '/feeds/papers.rss?q=soft-body');
      expect(softBody.items.map((item) => item.id)).toEqual(await itemIdsOf([ids.softBody]));
      const notSurvey = await fetchFeed('atom', '/feeds/papers.atom?q=gripper%20-survey');
      expect(notSurvey.items.map((item) => item.id)).toEqual(await itemIdsOf([ids.armOld]));
      const topicAndQuery = await fetchFeed('json', '/feeds/topics/robotics.json?q=tactile');
      expect(topicAndQuery.title).toBe('Paperboy: Robotics matching "tactile"');
      expect(topicAndQuery.self).toBe(`${BASE}/feeds/topics/robotics.json?q=tactile`);
      expect(topicAndQuery.items.map((item) => item.id)).toEqual(await itemIdsOf([ids.armNew]));
    });

    it('should keep a query with &, <, quotes and "]]>" well-formed in the title and self link of every format', async () => {
      const q = 'gripper & <arm> "]]>"';
      for (const format of FORMATS) {
        const feed = await fetchFeed(format, `/feeds/papers.${format}?q=${encodeURIComponent(q)}`);

        expect(asCarried(decodeHtml(feed.title))).toBe(`Paperboy: papers matching "${q}"`);
        expect(feed.self).toBe(`${BASE}/feeds/papers.${format}?q=${encodeURIComponent(q)}`);
      }
    });

    it('should carry an abstract with "]]>" and a control character through rss-parser and the strict parser', async () => {
      const response = await get('/feeds/topics/robotics.rss');
      const parsed = await new Parser().parseString(response.text);
      const item = parsed.items.find((entry) => entry.guid === 'arxiv:2411.20001');

      expect(XML_FORBIDDEN.test(response.text)).toBe(false);
      expect(() => parseStrictXml(response.text)).not.toThrow();
      expect(asCarried(decodeHtml(item?.content ?? ''))).toBe(
        'A gripper for robot arms; the string ]]> and  appear in this abstract.',
      );
    });

    it('should treat an empty q as no query', async () => {
      const all = await fetchFeed('rss', '/feeds/papers.rss');
      const blank = await fetchFeed('rss', '/feeds/papers.rss?q=%20%20');

      expect(blank.title).toBe('Paperboy: latest papers');
      expect(blank.items.map((item) => item.id)).toEqual(all.items.map((item) => item.id));
    });

    it('should date a feed that matches nothing by the last change of the papers, not 1970', async () => {
      const { rows } = await sql.query<{ changed: Date }>(
        `SELECT max("updatedAt") AS changed FROM papers WHERE "readyAt" IS NOT NULL`,
      );
      const atom = await get('/feeds/topics/graphs.atom');
      expect(atom.status).toBe(200);
      expect(atom.text).not.toContain('<entry>');
      const updated = /<updated>([^<]+)<\/updated>/.exec(atom.text)?.[1];
      expect(updated).toBe(rows[0].changed.toISOString());
      const rss = await get('/feeds/topics/graphs.rss');
      expect(new Date(/<lastBuildDate>([^<]+)<\/lastBuildDate>/.exec(rss.text)?.[1] ?? 0).getTime()).toBe(
        Math.floor(rows[0].changed.getTime() / 1000) * 1000,
      );
    });

    it('should answer 404 naming an unknown topic, in every format', async () => {
      for (const format of FORMATS) {
        const response = await get(`/feeds/topics/astrology.${format}`);

        expect({ format, status: response.status }).toEqual({ format, status: 404 });
        expect((response.body as { message: string }).message).toMatch(
          /^There is no topic "astrology"; topics are: llm, .*robotics/,
        );
      }
    });

    it.each([
      ['/feeds/papers.rss?q=the', /^q "the" has no words to search for/],
      ['/feeds/topics/robotics.atom?q=the%20of', /^q "the of" has no words to search for/],
      ['/feeds/papers.json?q=a&q=b', /^q must be one search string of at most 200 characters$/],
      [`/feeds/papers.rss?q=${'x'.repeat(201)}`, /^q must be one search string of at most 200 characters$/],
      ['/feeds/topics/robotics.xml', /^The feed format must be rss, atom or json/],
    ])('should answer 400 naming what is wrong for %s', async (path, message) => {
      const response = await get(path);

      expect(response.status).toBe(400);
      expect([(response.body as { message: string | string[] }).message].flat().join('\n')).toMatch(message);
    });
  });

  describe('caching: ETag, Last-Modified, 304, Cache-Control', () => {
    const PATHS = [
      ...FORMATS.map((format) => `/feeds/papers.${format}`),
      '/feeds/topics/llm.atom',
      '/feeds/papers.rss?q=public',
    ];

    it('should send a strong ETag, Last-Modified and public Cache-Control, and the same ETag while nothing changes', async () => {
      for (const path of PATHS) {
        const first = await get(path);
        const second = await get(path);

        expect({ path, status: first.status }).toEqual({ path, status: 200 });
        expect(first.headers.etag).toMatch(/^"[A-Za-z0-9_-]{16,}"$/);
        expect(Number.isNaN(Date.parse(String(first.headers['last-modified'])))).toBe(false);
        expect(first.headers['cache-control']).toBe('public, max-age=300');
        expect({ path, etag: second.headers.etag, text: second.text }).toEqual({
          path,
          etag: first.headers.etag,
          text: first.text,
        });
      }
    });

    it('should answer 304 without a body to a matching If-None-Match or a current If-Modified-Since, 200 otherwise', async () => {
      for (const path of PATHS) {
        const first = await get(path);
        const etag = String(first.headers.etag);
        const lastModified = String(first.headers['last-modified']);

        const byTag = await http().get(path).set('if-none-match', etag);
        expect({ path, status: byTag.status, body: byTag.text ?? '' }).toEqual({ path, status: 304, body: '' });
        expect(byTag.headers.etag).toBe(etag);
        const inList = await http().get(path).set('if-none-match', `"other", ${etag}`);
        expect(inList.status).toBe(304);
        const byDate = await http().get(path).set('if-modified-since', lastModified);
        expect({ path, status: byDate.status }).toEqual({ path, status: 304 });
        const otherTag = await http().get(path).set('if-none-match', '"something-else"');
        expect({ path, status: otherTag.status }).toEqual({ path, status: 200 });
        const earlier = new Date(Date.parse(lastModified) - 1000).toUTCString();
        const olderDate = await http().get(path).set('if-modified-since', earlier);
        expect({ path, status: olderDate.status }).toEqual({ path, status: 200 });
        expect(olderDate.text).toBe(first.text);
      }
    });

    it('should send gzip to readers that accept it, with its own ETag, and the plain bytes to the others', async () => {
      const plain = await http().get('/feeds/papers.atom').set('accept-encoding', 'identity');
      const zipped = await http().get('/feeds/papers.atom').set('accept-encoding', 'gzip, deflate, br');

      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(zipped.headers['content-encoding']).toBe('gzip');
      for (const response of [plain, zipped]) {
        expect(response.status).toBe(200);
        expect(response.headers.vary).toMatch(/accept-encoding/i);
      }
      // supertest has inflated the gzip body: the same document.
      expect(zipped.text).toBe(plain.text);
      expect(zipped.headers.etag).not.toBe(plain.headers.etag);
      expect(Number(zipped.headers['content-length'])).toBeLessThan(Number(plain.headers['content-length']));
      const revalidated = await http()
        .get('/feeds/papers.atom')
        .set('accept-encoding', 'gzip')
        .set('if-none-match', String(zipped.headers.etag));
      expect(revalidated.status).toBe(304);
      const head = await http().head('/feeds/papers.atom').set('accept-encoding', 'gzip');
      expect(head.status).toBe(200);
      expect(head.headers.etag).toBe(zipped.headers.etag);
      expect(head.headers['content-length']).toBe(zipped.headers['content-length']);
      expect(head.text ?? '').toBe('');
      const otherCoding = await http()
        .get('/feeds/papers.atom')
        .set('accept-encoding', 'identity')
        .set('if-none-match', String(zipped.headers.etag));
      expect(otherCoding.status).toBe(200);
    });

    it('should change the ETag and advance Last-Modified once a listed paper changes, and answer the old validators 200', async () => {
      const paperId = await insertPaper({
        arxivId: '2412.30001',
        title: 'A public paper about to be retitled',
        listedAt: '2024-12-30T08:00:00Z',
      });
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const before = await get('/feeds/papers.rss');
      expect(before.text).toContain('A public paper about to be retitled');

      await sql.query(`UPDATE papers SET title = 'A retitled public paper', "updatedAt" = now() WHERE id = $1`, [
        paperId,
      ]);

      const after = await waitFor('the feed to show the new title', async () => {
        const response = await http().get('/feeds/papers.rss').set('if-none-match', String(before.headers.etag));
        return response.status === 200 && response.text.includes('A retitled public paper') ? response : undefined;
      });
      expect(after.headers.etag).not.toBe(before.headers.etag);
      expect(Date.parse(String(after.headers['last-modified']))).toBeGreaterThan(
        Date.parse(String(before.headers['last-modified'])),
      );
      const sinceBefore = await http()
        .get('/feeds/papers.rss')
        .set('if-modified-since', String(before.headers['last-modified']));
      expect(sinceBefore.status).toBe(200);
    });

    it('should answer a poll of a feed rendered within the last second from memory, before the router, with the same bytes and headers', async () => {
      const rendered = await get('/feeds/topics/llm.rss');
      // Served by FeedsController: it carries the access log's request id.
      expect(rendered.headers['x-request-id']).toEqual(expect.any(String));

      const polled = await get('/feeds/topics/llm.rss');
      const revalidated = await http().get('/feeds/topics/llm.rss').set('if-none-match', String(rendered.headers.etag));

      // The fast path answers before the access log, hence no request id; everything else is the same.
      expect(polled.headers['x-request-id']).toBeUndefined();
      expect(polled.text).toBe(rendered.text);
      for (const header of [
        'etag',
        'last-modified',
        'cache-control',
        'content-type',
        'vary',
        'x-content-type-options',
      ]) {
        expect({ header, value: polled.headers[header] }).toEqual({ header, value: rendered.headers[header] });
      }
      expect(revalidated.status).toBe(304);
      expect(revalidated.headers['x-request-id']).toBeUndefined();
      // What the fast path cannot answer goes on to the controller, with its checks.
      expect((await get('/feeds/topics/no-such-topic.rss')).status).toBe(404);
      expect((await http().get('/feeds/papers.rss?q=a&q=b')).status).toBe(400);
      expect((await http().post('/feeds/papers.rss')).status).toBe(404);
    });

    it('should give personal feeds validators and 304 too, with private caching', async () => {
      const subscription = await insertSubscription({ email: 'etag@example.org', status: 'active' });
      const paperId = await insertPaper({
        arxivId: '2412.30002',
        title: 'In a personal feed',
        listedAt: '2024-12-29T08:00:00Z',
      });
      await insertDigest(subscription, '2024-12-30', '2024-12-30T08:00:00Z', [paperId]);
      const path = `/feeds/subscription.atom?token=${encodeURIComponent(signToken(SECRET, 'feed', subscription, new Date()))}`;

      const first = await get(path);
      expect(first.status).toBe(200);
      expect(first.headers['cache-control']).toBe('private, max-age=300');
      expect(first.headers.etag).toMatch(/^"[A-Za-z0-9_-]{16,}"$/);
      // The newest of the digest and its papers: here the paper, inserted after the digest's date.
      expect(Date.parse(String(first.headers['last-modified']))).toBeGreaterThan(Date.parse('2024-12-30T08:00:00Z'));
      const again = await http().get(path).set('if-none-match', String(first.headers.etag));
      expect(again.status).toBe(304);

      const later = await insertPaper({
        arxivId: '2412.30003',
        title: 'A later digest',
        listedAt: '2024-12-30T09:00:00Z',
      });
      await insertDigest(subscription, '2024-12-31', new Date().toISOString(), [later]);
      const changed = await http().get(path).set('if-none-match', String(first.headers.etag));
      expect(changed.status).toBe(200);
      expect(changed.text).toContain('A later digest');
    });
  });

  describe('personal feeds /feeds/subscription.{rss,atom,json}', () => {
    let mine: string;
    let other: string;
    let order: string[];
    let othersPaper: string;
    let neverDelivered: string;

    const feedToken = (subscriptionId: string, purpose: TokenPurpose = 'feed'): string =>
      signToken(SECRET, purpose, subscriptionId, new Date());
    const feedPath = (format: Format, token: string): string =>
      `/feeds/subscription.${format}?token=${encodeURIComponent(token)}`;

    beforeAll(async () => {
      mine = await insertSubscription({ email: 'feed-reader@example.org', status: 'active' });
      other = await insertSubscription({ email: 'someone-else@example.org', status: 'active' });
      // Listing dates disagree with both digest order and rank, so only "newest digest, then rank" fits.
      const oldRank1 = await insertPaper({
        arxivId: '2409.20011',
        title: 'Old digest, rank 1',
        listedAt: '2024-09-01T10:00:00Z',
      });
      const oldRank2 = await insertPaper({
        arxivId: '2409.20012',
        title: 'Old digest, rank 2',
        listedAt: '2024-09-01T12:00:00Z',
      });
      const newRank1 = await insertPaper({
        arxivId: '2409.20021',
        title: 'New digest, rank 1',
        listedAt: '2024-08-30T09:00:00Z',
      });
      const newRank2 = await insertPaper({
        arxivId: '2409.20022',
        title: 'New digest, rank 2',
        listedAt: '2024-09-02T09:00:00Z',
      });
      const newRank3 = await insertPaper({
        arxivId: null,
        title: 'New digest, rank 3',
        listedAt: '2024-09-02T07:00:00Z',
      });
      othersPaper = await insertPaper({
        arxivId: '2409.20031',
        title: 'Only in the other digest',
        listedAt: '2024-09-02T11:00:00Z',
      });
      neverDelivered = await insertPaper({
        arxivId: '2409.20041',
        title: 'Never delivered',
        listedAt: '2024-09-03T11:00:00Z',
      });

      await insertDigest(mine, '2024-09-02', '2024-09-02T08:00:00Z', [oldRank1, oldRank2]);
      await insertDigest(mine, '2024-09-03', '2024-09-03T08:00:00Z', [newRank1, newRank2, newRank3]);
      await insertDigest(other, '2024-09-03', '2024-09-03T08:00:00Z', [othersPaper, newRank1]);
      order = await itemIdsOf([newRank1, newRank2, newRank3, oldRank1, oldRank2]);
    });

    it("should list exactly the papers of the subscription's digests, newest digest first then by rank, in every format", async () => {
      const token = feedToken(mine);
      const unwanted = await itemIdsOf([othersPaper, neverDelivered]);

      for (const format of FORMATS) {
        const feed = await fetchFeed(format, feedPath(format, token));

        expect({ format, ids: feed.items.map((item) => item.id) }).toEqual({ format, ids: order });
        expect(feed.items.map((item) => item.title)).toEqual([
          'New digest, rank 1',
          'New digest, rank 2',
          'New digest, rank 3',
          'Old digest, rank 1',
          'Old digest, rank 2',
        ]);
        for (const id of unwanted) {
          expect(feed.items.map((item) => item.id)).not.toContain(id);
        }
        expect(feed.title).toBe('Paperboy: your digest');
        expect(feed.self).toBe(`${BASE}${feedPath(format, token)}`);
      }
    });

    it("should list another subscription's own digest papers, including a paper both were sent", async () => {
      const feed = await fetchFeed('json', feedPath('json', feedToken(other)));

      // Its digest ranks its own paper first, then one it shares with the first subscription.
      expect(feed.items.map((item) => item.id)).toEqual([...(await itemIdsOf([othersPaper])), order[0]]);
    });

    it('should keep personal feeds out of shared caches (Cache-Control private)', async () => {
      for (const format of FORMATS) {
        const response = await get(feedPath(format, feedToken(mine)));

        expect(response.status).toBe(200);
        expect(response.headers['cache-control']).toMatch(/\bprivate\b/);
        expect(response.headers['cache-control']).not.toMatch(/\bpublic\b/);
      }
    });

    it('should answer 404 for a wrong-purpose, tampered, foreign-secret, missing or unknown-subscription token', async () => {
      const now = new Date();
      const genuine = feedToken(mine);
      const [subject, iat, signature] = genuine.split('.');
      const flipped = `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
      const bad: Record<string, string | undefined> = {
        'an unsubscribe token': signToken(SECRET, 'unsubscribe', mine, now),
        'a confirm token': signToken(SECRET, 'confirm', mine, now),
        'a digest token': signToken(SECRET, 'digest', mine, now),
        'a tampered signature': `${subject}.${iat}.${flipped}`,
        "another subscription's id under this signature": `${other}.${iat}.${signature}`,
        'a token signed with another secret': signToken('another-secret-another-secret', 'feed', mine, now),
        'a feed token of a subscription that does not exist': signToken(SECRET, 'feed', randomUUID(), now),
        garbage: 'not-a-token',
        'an empty token': '',
        'a missing token': undefined,
      };

      for (const format of FORMATS) {
        for (const [label, token] of Object.entries(bad)) {
          const path = token === undefined ? `/feeds/subscription.${format}` : feedPath(format, token);
          const response = await get(path);

          expect({ format, label, status: response.status }).toEqual({ format, label, status: 404 });
          expect(response.text).not.toContain('Old digest');
        }
      }
    });

    it('should serve the feed links answered by POST /api/subscriptions for a Slack-only and a feed-only subscription', async () => {
      const slack = await subscribe({
        slackWebhookUrl: 'https://hooks.slack.com/services/T0F/B0F/feedlinks',
        topics: ['llm'],
      });
      const feedOnly = await subscribe({ topics: ['llm'] });

      for (const response of [slack, feedOnly]) {
        expect(response.status).toBe(202);
        const answer = response.body as ActiveAnswer;
        expect(answer.status).toBe('active');
        expect(Object.keys(answer.feeds).sort()).toEqual(['atom', 'json', 'rss']);
        for (const format of FORMATS) {
          const url = answer.feeds[format];
          expect(url.startsWith(`${BASE}/feeds/subscription.${format}?token=`)).toBe(true);
          const token = new URL(url).searchParams.get('token') ?? '';
          expect(verifyToken(SECRET, 'feed', token, new Date())).toBe(answer.id);

          const empty = await fetchFeed(format, pathOf(url));
          expect(empty.items).toEqual([]);
        }

        const delivered = await insertPaper({
          arxivId: null,
          title: `Delivered to ${answer.id}`,
          listedAt: '2024-09-05T08:00:00Z',
        });
        await insertDigest(answer.id, '2024-09-05', '2024-09-05T08:00:00Z', [delivered]);
        for (const format of FORMATS) {
          const feed = await fetchFeed(format, pathOf(answer.feeds[format]));
          expect({ format, titles: feed.items.map((item) => item.title) }).toEqual({
            format,
            titles: [`Delivered to ${answer.id}`],
          });
        }
      }
    });
  });

  describe('POST /api/subscriptions: paused, excluded topics, minimum upvotes, feed-only', () => {
    it('should store frequency "paused", the excluded topics (once each) and minUpvotes of an email subscription', async () => {
      const response = await subscribe({
        email: 'paused@example.org',
        topics: ['llm', 'agents'],
        excludeTopics: ['robotics', 'safety', 'robotics'],
        minUpvotes: 25,
        frequency: 'paused',
      });

      expect(response.status).toBe(202);
      const { rows } = await sql.query<SubscriptionRow>(
        `SELECT * FROM subscriptions WHERE email = 'paused@example.org'`,
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        status: 'pending',
        frequency: 'paused',
        topics: ['llm', 'agents'],
        excludeTopics: ['robotics', 'safety'],
        minUpvotes: 25,
        activatedAt: null,
      });
    });

    it('should store a feed-only subscription (neither email nor Slack) active at once, with activatedAt and null channels', async () => {
      const started = Date.now();

      const response = await subscribe({
        topics: ['llm'],
        excludeTopics: ['vision'],
        minUpvotes: 3,
        frequency: 'paused',
      });

      expect(response.status).toBe(202);
      const answer = response.body as ActiveAnswer;
      expect(Object.keys(answer).sort()).toEqual(['feeds', 'id', 'manageUrl', 'status', 'unsubscribeUrl']);
      expect(answer.status).toBe('active');
      const row = await rowById(answer.id);
      expect(row).toMatchObject({
        email: null,
        slackWebhookUrl: null,
        status: 'active',
        topics: ['llm'],
        excludeTopics: ['vision'],
        minUpvotes: 3,
        frequency: 'paused',
        unsubscribedAt: null,
      });
      expect(row.activatedAt).toBeInstanceOf(Date);
      expect(row.activatedAt?.getTime()).toBeGreaterThanOrEqual(started - 1000);
      expect(row.activatedAt?.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    });

    it('should default excludeTopics to none and minUpvotes to 0 when they are left out', async () => {
      const response = await subscribe({ topics: ['code'] });

      expect(response.status).toBe(202);
      const row = await rowById((response.body as ActiveAnswer).id);
      expect(row).toMatchObject({ excludeTopics: [], minUpvotes: 0, frequency: 'daily' });
    });
  });

  describe('GET /digests/:id (view in browser)', () => {
    const TITLES = [
      'Attention <Is> All & "You" Need',
      "Rank two: O'Brien's <script>alert(1)</script>",
      'Rank three & last',
    ];
    let subscriptionId: string;
    let digestId: string;
    let otherDigestId: string;

    const viewPath = (id: string, token: string | undefined): string =>
      token === undefined ? `/digests/${id}` : `/digests/${id}?token=${encodeURIComponent(token)}`;
    const digestToken = (id: string, purpose: TokenPurpose = 'digest'): string =>
      signToken(SECRET, purpose, id, new Date());

    beforeAll(async () => {
      subscriptionId = await insertSubscription({ email: 'viewer@example.org', status: 'active' });
      const ids: string[] = [];
      for (const [index, title] of TITLES.entries()) {
        // Listing dates run against the rank, so only the rank can order the page.
        ids.push(
          await insertPaper({ arxivId: `2411.3000${index}`, title, listedAt: `2024-11-0${5 - index}T08:00:00Z` }),
        );
      }
      digestId = await insertDigest(subscriptionId, '2024-11-06', '2024-11-06T08:00:00Z', ids);
      const otherSubscription = await insertSubscription({ email: 'other-viewer@example.org', status: 'active' });
      const otherPaper = await insertPaper({
        arxivId: '2411.30099',
        title: 'Only in the other digest view',
        listedAt: '2024-11-01T08:00:00Z',
      });
      otherDigestId = await insertDigest(otherSubscription, '2024-11-06', '2024-11-06T08:00:00Z', [otherPaper]);
    });

    it('should give the same digest as JSON at /api/digests/:id, and 404 to any other token', async () => {
      const response = await get(`/api/digests/${digestId}?token=${encodeURIComponent(digestToken(digestId))}`);

      expect(response.status).toBe(200);
      expect(response.headers['cache-control']).toMatch(/\bno-store\b/);
      const body = response.body as { id: string; periodKey: string; papers: { title: string; arxivUrl: string }[] };
      expect(body).toMatchObject({ id: digestId, periodKey: '2024-11-06', omittedCount: 0 });
      expect(body.papers.map((paper) => paper.title)).toEqual(TITLES);
      expect(body.papers[0].arxivUrl).toBe('https://arxiv.org/abs/2411.30000');
      expect(
        (await get(`/api/digests/${otherDigestId}?token=${encodeURIComponent(digestToken(digestId))}`)).status,
      ).toBe(404);
      expect(
        (await get(`/api/digests/${digestId}?token=${encodeURIComponent(digestToken(digestId, 'feed'))}`)).status,
      ).toBe(404);
      expect((await get(`/api/digests/${digestId}`)).status).toBe(404);
      expect((await get('/api/digests/not-a-uuid?token=x')).status).toBe(400);
    });

    it('should render the papers HTML-escaped in rank order in the site layout, with manage and unsubscribe links, never stored', async () => {
      const response = await get(viewPath(digestId, digestToken(digestId)));

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.headers['cache-control']).toMatch(/\bno-store\b/);
      const html = response.text;
      const positions = TITLES.map((title) => html.indexOf(escapeHtml(title)));
      expect(positions.every((position) => position >= 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      expect(html).not.toContain('<Is>');
      expect(html).not.toContain('<script>');
      expect(html).not.toContain('Only in the other digest view');

      // The site's layout: its stylesheet, landmarks and navigation, kept out of search engines.
      expect(html).toContain('<link rel="stylesheet" href="/assets/paperboy.css">');
      expect(html).toContain('<main id="main">');
      expect(html).toContain('<nav aria-label="Main">');
      expect(html).toContain('<meta name="robots" content="noindex">');
      const manageLink = /<a href="([^"]+)"[^>]*>Manage your preferences<\/a>/.exec(html)?.[1];
      expect(decodeHtml(manageLink ?? '')).toMatch(new RegExp(`^${BASE}/manage\\?id=${subscriptionId}&token=`));

      const unsubscribeLink = /<a href="([^"]+)"[^>]*>Unsubscribe<\/a>/.exec(html)?.[1];
      expect(unsubscribeLink).toBeDefined();
      const unsubscribeUrl = decodeHtml(unsubscribeLink as string);
      expect(unsubscribeUrl.startsWith(`${BASE}/unsubscribe?token=`)).toBe(true);
      const unsubscribeToken = new URL(unsubscribeUrl).searchParams.get('token') ?? '';
      expect(verifyToken(SECRET, 'unsubscribe', unsubscribeToken, new Date())).toBe(subscriptionId);
      const unsubscribePage = await get(pathOf(unsubscribeUrl));
      expect(unsubscribePage.status).toBe(200);
      expect(unsubscribePage.text).toContain('<form');
      expect((await rowById(subscriptionId)).status).toBe('active');
    });

    it('should answer the 404 "not valid" page for a token of another digest, of another purpose, tampered or missing', async () => {
      const genuine = digestToken(digestId);
      const [subject, iat, signature] = genuine.split('.');
      const flipped = `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
      const bad: Record<string, string | undefined> = {
        "another digest's token": digestToken(otherDigestId),
        'an unsubscribe token for this id': digestToken(digestId, 'unsubscribe'),
        'a feed token for this id': digestToken(digestId, 'feed'),
        'an unsubscribe token of the subscription': signToken(SECRET, 'unsubscribe', subscriptionId, new Date()),
        'a tampered signature': `${subject}.${iat}.${flipped}`,
        'a token signed with another secret': signToken(
          'another-secret-another-secret',
          'digest',
          digestId,
          new Date(),
        ),
        'an empty token': '',
        'a missing token': undefined,
      };

      for (const [label, token] of Object.entries(bad)) {
        const response = await get(viewPath(digestId, token));

        expect({ label, status: response.status }).toEqual({ label, status: 404 });
        expect(response.headers['content-type']).toMatch(/^text\/html/);
        expect(response.text).toContain('This link is not valid');
        expect(response.text).not.toContain(escapeHtml(TITLES[0]));
      }
    });

    it('should list the papers the cap left out below the papers shown, as "More papers from this digest"', async () => {
      const shown = await insertPaper({
        arxivId: '2411.30100',
        title: 'Shown in the email',
        listedAt: '2024-11-05T08:00:00Z',
      });
      const leftOut = [];
      for (const [index, title] of ['Left out first', 'Left out <second>'].entries()) {
        leftOut.push(await insertPaper({ arxivId: `2411.3010${index + 1}`, title, listedAt: '2024-11-05T08:00:00Z' }));
      }
      const capped = await insertDigest(subscriptionId, '2024-11-07', '2024-11-07T08:00:00Z', [shown]);
      await sql.query(`UPDATE digests SET "omittedCount" = 2 WHERE id = $1`, [capped]);
      await sql.query(`UPDATE digests SET "leftOutPaperIds" = $2 WHERE id = $1`, [capped, leftOut]);

      const html = (await get(viewPath(capped, digestToken(capped)))).text;
      const at = [
        'Shown in the email',
        'More papers from this digest',
        'Left out first',
        escapeHtml('Left out <second>'),
      ].map((text) => html.indexOf(text));
      expect(at.every((position) => position >= 0)).toBe(true);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
      expect(html).toContain('<span class="rank">3.</span>');
      // The page lists them: it no longer says they are somewhere else.
      expect(html).not.toContain('And 2 more');
      const json = (await get(`/api/digests/${capped}?token=${encodeURIComponent(digestToken(capped))}`)).body as {
        papers: { title: string }[];
        leftOut: { title: string }[];
        omittedCount: number;
      };
      expect(json.papers.map((paper) => paper.title)).toEqual(['Shown in the email']);
      expect(json.leftOut.map((paper) => paper.title)).toEqual(['Left out first', 'Left out <second>']);
      expect(json.omittedCount).toBe(2);
    });

    it('should answer the 404 "not valid" page, not a 500 or JSON, for a digest id that is not a UUID', async () => {
      for (const id of ['not-a-uuid', '123', `${randomUUID()}x`]) {
        const response = await get(viewPath(id, signToken(SECRET, 'digest', id, new Date())));

        expect({ id, status: response.status, type: response.headers['content-type'] }).toEqual({
          id,
          status: 404,
          type: 'text/html; charset=utf-8',
        });
        expect(response.text).toContain('<h1>This link is not valid</h1>');
      }
    });

    it('should show at least what the email shows: tags, why, arXiv, PDF, Hugging Face and code links, and each paper page', async () => {
      const [tagged] = await insertPapers(sql, [
        {
          title: 'A tagged paper with code',
          abstract: 'Reasoning agents.',
          authors: ['Ada Lovelace'],
          arxivId: '2411.30200',
          listedAt: '2024-11-05T08:00:00Z',
          codeUrl: 'https://github.com/example/code?x=1&y=2',
          topics: [
            { topic: 'llm', score: 6, evidence: ['title: "language model"'] },
            { topic: 'agents', score: 4, evidence: [] },
          ],
        },
      ]);
      const [hostileLink] = await insertPapers(sql, [
        {
          title: 'A paper whose source sent a script link',
          abstract: 'x',
          arxivId: '2411.30201',
          listedAt: '2024-11-05T08:00:00Z',
          codeUrl: 'javascript:alert(1)',
        },
      ]);
      const id = await insertDigest(subscriptionId, '2024-11-08', '2024-11-08T08:00:00Z', [tagged, hostileLink]);
      const token = encodeURIComponent(digestToken(id));
      const html = (await get(`/digests/${id}?token=${token}`)).text;
      // The view the email is rendered from: everything it shows of a paper is on the page too.
      const view = (await get(`/api/digests/${id}?token=${token}`)).body as {
        papers: { tags: string[]; reasons: string[]; arxivUrl: string | null; huggingFaceUrl: string | null }[];
      };
      expect(view.papers[0].tags).toEqual(['Large Language Models', 'Agents']);
      for (const tag of view.papers[0].tags) {
        expect(html).toContain(`<a class="chip" href="/topics/${tag === 'Agents' ? 'agents' : 'llm'}">${escapeHtml(tag)}</a>`);
      }
      expect(html).toContain(`Why: ${escapeHtml(view.papers[0].reasons.join('; '))}`);
      for (const link of [
        view.papers[0].arxivUrl,
        view.papers[0].huggingFaceUrl,
        'https://arxiv.org/pdf/2411.30200',
        'https://github.com/example/code?x=1&y=2',
      ]) {
        expect(html).toContain(`href="${escapeHtml(link ?? 'missing')}"`);
      }
      expect(html).toContain(`<a href="/papers/${tagged}">A tagged paper with code</a>`);
      expect(html).toContain(`<a href="/papers/${hostileLink}">A paper whose source sent a script link</a>`);
      expect(html).not.toContain('javascript:');
    });

    it('should answer 404 for an unknown digest id even with a token signed for it', async () => {
      const unknown = randomUUID();

      const response = await get(viewPath(unknown, digestToken(unknown)));

      expect(response.status).toBe(404);
      expect(response.text).toContain('This link is not valid');
    });
  });

  describe('GET /subscriptions/confirm: the personal feed links', () => {
    it('should link the personal RSS, Atom and JSON feeds on the confirmation page, and those links work', async () => {
      const id = await insertSubscription({ email: 'confirm-feeds@example.org', status: 'pending' });

      const response = await get(
        `/subscriptions/confirm?token=${encodeURIComponent(signToken(SECRET, 'confirm', id, new Date()))}`,
      );

      expect(response.status).toBe(200);
      expect(response.text).toContain('Subscription confirmed');
      expect((await rowById(id)).status).toBe('active');
      const labels: Record<Format, string> = { rss: 'RSS', atom: 'Atom', json: 'JSON Feed' };
      const links = {} as Record<Format, string>;
      for (const format of FORMATS) {
        const href = new RegExp(`<a href="([^"]+)">${labels[format]}</a>`).exec(response.text)?.[1];
        expect({ format, href: typeof href }).toEqual({ format, href: 'string' });
        links[format] = decodeHtml(href as string);
        expect(links[format].startsWith(`${BASE}/feeds/subscription.${format}?token=`)).toBe(true);
        expect(verifyToken(SECRET, 'feed', new URL(links[format]).searchParams.get('token') ?? '', new Date())).toBe(
          id,
        );
      }

      const paper = await insertPaper({
        arxivId: '2412.40001',
        title: 'First paper after confirming',
        listedAt: '2024-12-01T08:00:00Z',
      });
      await insertDigest(id, '2024-12-02', '2024-12-02T08:00:00Z', [paper]);
      for (const format of FORMATS) {
        const feed = await fetchFeed(format, pathOf(links[format]));

        expect(feed.title).toBe('Paperboy: your digest');
        expect({ format, ids: feed.items.map((item) => item.id) }).toEqual({ format, ids: ['arxiv:2412.40001'] });
      }
    });
  });
});
