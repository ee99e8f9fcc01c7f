import { Client } from 'pg';
import Handlebars from 'handlebars';
import Parser from 'rss-parser';
import { Response } from 'supertest';
import { ApiApp, insertPapers, PaperSeed, startApiApp } from './api-app';
import { childNamed, childrenNamed, parseStrictXml } from './strict-xml';

/*
 * The context of the api's feed and digest-view specs: the api in-process against real Postgres and Redis
 * (one database per spec file), fixture builders for what the specs seed, and readers that check a feed
 * response strictly and read it in its format. Each spec file calls useFeedsApi() once at its top.
 */

export const SECRET = 'feeds-int-secret-feeds-int-secret-0042';
// A trailing slash on purpose: every link must still be <origin>/feeds/…, never <origin>//feeds/….
export const PUBLIC_URL = 'https://paperboy.example.org/';
export const BASE = 'https://paperboy.example.org';
export const ATOM_NS = 'http://www.w3.org/2005/Atom';
export const FORMATS = ['rss', 'atom', 'json'] as const;
export type Format = (typeof FORMATS)[number];
export const CONTENT_TYPES: Record<Format, RegExp> = {
  rss: /^application\/rss\+xml(;|$)/,
  atom: /^application\/atom\+xml(;|$)/,
  json: /^application\/feed\+json(;|$)/,
};
// eslint-disable-next-line no-control-regex
export const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

/** A feed item as every format can express it. */
export interface FeedItem {
  id: string;
  title: string;
  link: string;
  /** ISO 8601 as the format gives it: RSS pubDate, Atom published or updated, JSON date_published or date_modified. */
  date: string | undefined;
  /** The item's text as a reader shows it: RSS description, Atom summary or content, JSON content_html or content_text. */
  content: string;
}

export interface Feed {
  title: string;
  /** The feed's link to itself (RSS atom:link rel=self, Atom link rel=self, JSON feed_url). */
  self: string | undefined;
  items: FeedItem[];
}

export interface JsonFeedItem {
  id?: unknown;
  authors?: unknown;
  url?: unknown;
  title?: unknown;
  content_html?: unknown;
  content_text?: unknown;
  date_published?: unknown;
  date_modified?: unknown;
}

export interface JsonFeedDocument {
  version?: unknown;
  title?: unknown;
  home_page_url?: unknown;
  feed_url?: unknown;
  items?: unknown;
}

export interface SubscriptionRow {
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

export interface ActiveAnswer {
  status: 'active';
  id: string;
  unsubscribeUrl: string;
  feeds: Record<Format, string>;
}

export interface PaperFixture {
  arxivId: string | null;
  title: string;
  listedAt: string;
  abstract?: string;
  authors?: string[];
  url?: string | null;
  ready?: boolean;
}

export const decodeHtml = (html: string): string =>
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
export const escapeHtml = (text: string): string => Handlebars.escapeExpression(text);
/**
 * Text as a feed may legitimately carry it: characters XML forbids dropped (they cannot be represented),
 * and "]] >" taken for "]]>" (the service breaks the CDATA terminator up on purpose).
 */
export const asCarried = (text: string): string =>
  text.replace(new RegExp(XML_FORBIDDEN.source, 'g'), '').replace(/]] >/g, ']]>');
export const isRfc3339 = (value: unknown): boolean =>
  typeof value === 'string' &&
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) &&
  !Number.isNaN(Date.parse(value));


/** The api and its fixture builders; `api` and `sql` are there once beforeAll has run. */
export interface FeedsApi {
  readonly api: ApiApp;
  readonly sql: Client;
  http(): ReturnType<ApiApp['http']>;
  get(path: string): Promise<Response>;
  /** The path of an absolute link the api made, checked to be under PUBLIC_URL. */
  pathOf(url: string): string;
  subscribe(body: object): Promise<Response>;
  rowById(id: string): Promise<SubscriptionRow>;
  /** A paper (ready unless said otherwise), with an abstract and an author of its own. */
  newPaper(paper: PaperFixture): Promise<string>;
  /** Papers as given, for the specs that need every column (topics, DOI, code URL, upvotes). */
  newPapers(papers: PaperSeed[]): Promise<string[]>;
  /** A daily llm subscription by email (or feed-only with a null email), activated now when active. */
  newSubscription(fields: { email: string | null; status: 'pending' | 'active' }): Promise<string>;
  /** A sent digest of these papers, ranked in the order given; rows are written in reverse rank order. */
  newDigest(subscriptionId: string, periodKey: string, at: string, paperIds: string[]): Promise<string>;
  /** The feed item id the api gives a paper: arxiv:<id>, else paperboy:<uuid>. */
  itemIdsOf(paperIds: string[]): Promise<string[]>;
  /** Checks one feed response (status, content type, strict well-formedness) and reads it in its format. */
  readFeed(format: Format, response: Response): Promise<Feed>;
  fetchFeed(format: Format, path: string): Promise<Feed>;
}

/** Boots the api for the spec file (beforeAll) and stops it (afterAll). */
export function useFeedsApi(label: string): FeedsApi {
  let api: ApiApp;
  let sql: Client;

  beforeAll(async () => {
    api = await startApiApp(label, {
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
          content: [item.content_html, item.content_text].find((text): text is string => typeof text === 'string') ?? '',
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
          content: item.content ?? '',
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
        content: item.content ?? (item as { summary?: string }).summary ?? '',
      })),
    };
  };
  const fetchFeed = async (format: Format, path: string): Promise<Feed> => readFeed(format, await get(path));

  return {
    get api() {
      return api;
    },
    get sql() {
      return sql;
    },
    http,
    get,
    pathOf,
    subscribe,
    rowById,
    newPaper: insertPaper,
    newPapers: (papers) => insertPapers(sql, papers),
    newSubscription: insertSubscription,
    newDigest: insertDigest,
    itemIdsOf,
    readFeed,
    fetchFeed,
  };
}
