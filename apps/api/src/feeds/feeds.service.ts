import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { Feed } from 'feed';
import { Settings } from '@libs/config';
import {
  DigestRepository,
  PaperRepository,
  PaperWithTopics,
  ReadyPapersVersion,
  SubscriptionRepository,
} from '@libs/database';
import {
  Clock,
  escapeHtml,
  PaperVoteLinks,
  paperVoteLinks,
  printable,
  readableLatex,
  safeUrl,
  tokenSubject,
  titleName,
  Topic,
  TOPICS,
  verifyToken,
  xmlText,
} from '@libs/domain';
import { searchTermsProblem, toWebSearchQuery } from '@libs/domain/papers';
import { Memo, RenderedFeed, renderedFeed, RenderedFeedCache } from './feed-cache';

const FEED_SIZE = 200;
const MAX_QUERY = 200;
/** How stale "did any paper change?" may be: one query a second per process instead of one per request. */
const VERSION_TTL_MS = 1000;
/** Re-render at least this often: `reclassify` changes topics without touching a paper's updatedAt. */
const RENDER_MAX_AGE_MS = 5 * 60 * 1000;
/** Rendered feeds kept per process (all papers and each topic in each format, and the most recent keyword feeds). */
const MAX_CACHED_FEEDS = 500;

export type FeedFormat = 'rss' | 'atom' | 'json';

export const FEED_CONTENT_TYPES: Record<FeedFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};


/** A paper as every format lists it: plain, readable text (LaTeX read, see readableLatex). */
interface FeedEntry {
  id: string;
  title: string;
  link: string;
  listedAt: Date;
  abstract: string;
  authors: string[];
  tags: string[];
  /** The subscriber's 👍 / 👎 links: personal feeds only. */
  votes?: PaperVoteLinks;
}

/** A personal feed item's vote links, as HTML (each opens the vote page: a feed reader's fetch records nothing). */
function voteLinksHtml(votes: PaperVoteLinks): string {
  return `<p>For you? <a href="${escapeHtml(votes.up)}">👍 Useful</a> · <a href="${escapeHtml(votes.down)}">👎 Not for me</a></p>`;
}

interface FeedMeta {
  self: string;
  title: string;
  description: string;
  link: string;
}

/**
 * JSON Feed 1.1 (`authors`, every one of them, and `language`), written here: the `feed` package writes 1.0,
 * with the deprecated `author`, and only a paper's first author.
 */
function jsonFeed11(meta: FeedMeta, entries: FeedEntry[]): string {
  return JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: printable(meta.title),
    home_page_url: meta.link,
    feed_url: meta.self,
    description: printable(meta.description),
    language: 'en',
    authors: [{ name: 'Paperboy' }],
    items: entries.map((entry) => ({
      id: entry.id,
      url: entry.link,
      title: printable(entry.title),
      content_text: printable(entry.abstract),
      ...(entry.votes
        ? { content_html: `<p>${escapeHtml(printable(entry.abstract))}</p>${voteLinksHtml(entry.votes)}` }
        : {}),
      date_published: entry.listedAt.toISOString(),
      date_modified: entry.listedAt.toISOString(),
      authors: entry.authors.map((name) => ({ name: printable(name) })),
      tags: entry.tags,
    })),
  });
}

function paperLink(paper: PaperWithTopics, fallback: string): string {
  return safeUrl(paper.url) ?? (paper.arxivId ? `https://arxiv.org/abs/${paper.arxivId}` : fallback);
}

/** The cache key of a public feed; throws the 404 or 400 its topic or query deserves. */
function publicFeedKey(request: PublicFeedRequest): { key: string; topic: Topic | null; q: string | null } {
  const topic = request.topic === undefined ? null : findTopic(request.topic);
  const q = readQuery(request.q);
  return { key: JSON.stringify([request.format, topic?.slug ?? null, q]), topic, q };
}

/** What a public feed lists: every paper, or one topic's, optionally narrowed by a full-text query. */
export interface PublicFeedRequest {
  format: FeedFormat;
  /** A topic slug from the path; unknown ones answer 404. */
  topic?: string;
  /** The raw `q` query parameter: a string of web search syntax, or whatever a client sent. */
  q?: unknown;
}

/**
 * The public feeds (all papers, per topic, per keyword query) and each subscription's personal feed, rendered
 * with `feed`. Public feeds are rendered once per (format, topic, query) and served from memory until a paper
 * changes, so a feed reader's poll costs no query at all most of the time.
 */
@Injectable()
export class FeedsService {
  private readonly rendered = new RenderedFeedCache({ maxEntries: MAX_CACHED_FEEDS, maxAgeMs: RENDER_MAX_AGE_MS });
  private readonly papersVersion: Memo<ReadyPapersVersion>;

  constructor(
    private readonly settings: Settings,
    private readonly papers: PaperRepository,
    private readonly digests: DigestRepository,
    private readonly subscriptions: SubscriptionRepository,
    private readonly clock: Clock,
  ) {
    this.papersVersion = new Memo(() => this.papers.readyVersion(), VERSION_TTL_MS);
  }

  /**
   * The public feed as rendered already, when it needs no query and no rendering (the papers' version was
   * read within the last second); null otherwise, and for requests that would get a 400 or 404.
   */
  cachedPublicFeed(request: PublicFeedRequest): RenderedFeed | null {
    const version = this.papersVersion.peek();
    if (version === undefined) {
      return null;
    }
    try {
      return this.rendered.peek(publicFeedKey(request).key, versionKey(version));
    } catch {
      return null;
    }
  }

  /** A public feed; 404 for an unknown topic, 400 naming `q` for a query that cannot be searched. */
  async publicFeed(request: PublicFeedRequest): Promise<RenderedFeed> {
    const { key, topic, q } = publicFeedKey(request);
    const query = q === null ? null : toWebSearchQuery(q);
    const version = await this.papersVersion.get();
    return this.rendered.get(key, versionKey(version), async () => {
      const papers = await this.papers.findWithTopics(
        await this.papers.newestIds({ topic: topic?.slug ?? null, query }, FEED_SIZE),
      );
      const path = topic ? `topics/${topic.slug}.${request.format}` : `papers.${request.format}`;
      const matching = q === null ? '' : ` matching "${q}"`;
      return this.render(
        request.format,
        q === null ? path : `${path}?q=${encodeURIComponent(q)}`,
        latestChange(papers) ?? emptyFeedUpdated(version, this.clock.now()),
        {
          title: topic
            ? `Paperboy: ${topic.name}${matching}`
            : q === null
              ? 'Paperboy: latest papers'
              : `Paperboy: papers${matching}`,
          description: topic
            ? `New papers on ${topic.name}${matching}: ${topic.scope}`
            : `New research papers${matching}, deduplicated across sources and tagged by topic.`,
          link: topic ? `/topics/${topic.slug}` : q === null ? '/' : `/?q=${encodeURIComponent(q)}`,
          papers,
        },
      );
    });
  }

  /** Every paper of the subscription's digests, whatever channel carried them; null for a bad token. */
  async subscriptionFeed(token: string, format: FeedFormat): Promise<RenderedFeed | null> {
    // Feed links are signed with the subscription's key version: read it first, then verify.
    const claimed = tokenSubject(token);
    const subscription = claimed ? await this.subscriptions.findById(claimed) : null;
    if (
      !subscription ||
      verifyToken(this.settings.APP_SECRET, 'feed', token, this.clock.now(), Infinity, subscription.linkVersion) !== claimed
    ) {
      return null;
    }
    const [papers, latestDigest] = await Promise.all([
      this.papers.deliveredTo(subscription.id, FEED_SIZE),
      this.digests.latestWithPapersAt(subscription.id),
    ]);
    const explored = await this.digests.exploredPaperIds(
      subscription.id,
      papers.map((paper) => paper.id),
    );
    // A new digest changes the feed even when its papers are older than the ones already listed.
    const changed = [latestDigest, latestChange(papers)].reduce<number>(
      (latest, date) => (date ? Math.max(latest, date.getTime()) : latest),
      subscription.createdAt.getTime(),
    );
    // Signed as of the feed's last change, not now: an unchanged feed keeps its bytes (and its ETag).
    const votes = (paperId: string): PaperVoteLinks =>
      paperVoteLinks(
        this.settings.PUBLIC_URL,
        this.settings.APP_SECRET,
        subscription,
        paperId,
        explored.has(paperId) ? 'explore' : 'digest',
        new Date(changed),
      );
    const text = this.render(format, `subscription.${format}?token=${encodeURIComponent(token)}`, new Date(changed), {
      title: 'Paperboy: your digest',
      description: 'The papers of your Paperboy digests.',
      link: '/',
      papers,
      votes,
    });
    return renderedFeed(text, new Date(changed));
  }

  /** `updated` is when the content last changed, not the clock, so an unchanged feed renders to the same bytes. */
  private render(
    format: FeedFormat,
    path: string,
    updated: Date,
    content: {
      title: string;
      description: string;
      link: string;
      papers: PaperWithTopics[];
      votes?: (paperId: string) => PaperVoteLinks;
    },
  ): string {
    const base = this.settings.PUBLIC_URL.replace(/\/+$/, '');
    const meta: FeedMeta = {
      self: `${base}/feeds/${path}`,
      title: content.title,
      description: content.description,
      link: `${base}${content.link}`,
    };
    const entries = content.papers.map((paper): FeedEntry => {
      const title = readableLatex(paper.title);
      return {
        id: paper.arxivId ? `arxiv:${paper.arxivId}` : `paperboy:${paper.id}`,
        title,
        link: paperLink(paper, base),
        listedAt: paper.listedAt,
        abstract: readableLatex(paper.abstract, { ownName: titleName(title) }),
        authors: paper.authors.slice(0, 10).map((name) => readableLatex(name)),
        tags: paper.topics.map((topic) => topic.topic),
        ...(content.votes ? { votes: content.votes(paper.id) } : {}),
      };
    });
    return format === 'json' ? jsonFeed11(meta, entries) : xmlFeed(format, meta, entries, updated);
  }
}

/** RSS 2.0 or Atom, written by the `feed` package (which escapes markup; xmlText drops what XML cannot carry). */
function xmlFeed(format: 'rss' | 'atom', meta: FeedMeta, entries: FeedEntry[], updated: Date): string {
  const feed = new Feed({
    id: meta.self,
    title: xmlText(meta.title),
    description: xmlText(meta.description),
    link: meta.link,
    language: 'en',
    updated,
    // Atom needs an author on entries that have none of their own.
    author: { name: 'Paperboy' },
    generator: 'Paperboy',
    copyright: 'Paper metadata from arXiv (CC0) and Hugging Face',
    feedLinks: { [format]: meta.self },
  });
  for (const entry of entries) {
    const title = xmlText(entry.title);
    feed.addItem({
      // Readers treat descriptions (and Atom titles) as HTML; ours are plain text.
      title: format === 'atom' ? escapeHtml(title) : title,
      id: entry.id,
      link: entry.link,
      date: entry.listedAt,
      published: entry.listedAt,
      description: escapeHtml(xmlText(entry.abstract)) + (entry.votes ? voteLinksHtml(entry.votes) : ''),
      author: entry.authors.map((name) => ({ name: xmlText(name) })),
      category: entry.tags.map((tag) => ({ name: tag, term: tag })),
    });
  }
  return format === 'rss' ? feed.rss2() : feed.atom1();
}

const versionKey = ({ changedAt, count }: ReadyPapersVersion): string => `${changedAt?.toISOString() ?? '-'}/${count}`;

/** The newest change of the papers listed; null for none. */
function latestChange(papers: PaperWithTopics[]): Date | null {
  return papers.reduce<Date | null>(
    (latest, paper) => (!latest || paper.updatedAt > latest ? paper.updatedAt : latest),
    null,
  );
}

/** A feed matching nothing last changed when the papers did (and, before the first paper, now). */
function emptyFeedUpdated(version: ReadyPapersVersion, now: Date): Date {
  return version.changedAt ?? now;
}

function findTopic(slug: string): Topic {
  const topic = TOPICS.find((t) => t.slug === slug);
  if (!topic) {
    throw new NotFoundException(
      `There is no topic ${JSON.stringify(slug)}; topics are: ${TOPICS.map((t) => t.slug).join(', ')}`,
    );
  }
  return topic;
}

/** The `q` parameter as GET /api/papers reads it: one search of at most 200 characters; blank means none. */
function readQuery(q: unknown): string | null {
  if (q === undefined) {
    return null;
  }
  if (typeof q !== 'string' || q.length > MAX_QUERY) {
    throw new BadRequestException([`q must be one search string of at most ${MAX_QUERY} characters`]);
  }
  const trimmed = q.trim();
  // Otherwise Postgres quietly matches nothing, and the reader cannot tell why.
  const problem = trimmed === '' ? null : searchTermsProblem('q', trimmed);
  if (problem !== null) {
    throw new BadRequestException([problem]);
  }
  return trimmed === '' ? null : trimmed;
}
