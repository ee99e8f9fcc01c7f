import { Injectable } from '@nestjs/common';
import { Feed } from 'feed';
import { Settings } from '@libs/config';
import { PaperRepository, PaperWithTopics, SubscriptionRepository } from '@libs/database';
import { verifyToken } from '@libs/domain';

const FEED_SIZE = 200;

export type FeedFormat = 'rss' | 'atom' | 'json';

export const FEED_CONTENT_TYPES: Record<FeedFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

/**
 * Text safe for the feed's XML: control characters XML forbids are dropped, and "]]>" is broken up
 * because the `feed` package's CDATA writer escapes only its first occurrence.
 */
function xmlSafe(text: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '').replace(/]]>/g, ']] >');
}

/** Readers treat descriptions (and Atom titles) as HTML; ours are plain text. */
function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The `feed` package writes JSON Feed 1.0 shapes; 1.1 renamed `author` to `authors`. */
function toJsonFeed11(json: string): string {
  const document = JSON.parse(json) as Record<string, unknown> & { items?: Record<string, unknown>[] };
  document.version = 'https://jsonfeed.org/version/1.1';
  for (const item of document.items ?? []) {
    if (item.author !== undefined) {
      item.authors = Array.isArray(item.author) ? item.author : [item.author];
      delete item.author;
    }
  }
  return JSON.stringify(document);
}

function paperLink(paper: PaperWithTopics, fallback: string): string {
  if (paper.url && URL.canParse(paper.url)) {
    return paper.url;
  }
  return paper.arxivId ? `https://arxiv.org/abs/${paper.arxivId}` : fallback;
}

/** The public feed of the latest papers and each subscription's personal feed, rendered with `feed`. */
@Injectable()
export class FeedsService {
  constructor(
    private readonly settings: Settings,
    private readonly papers: PaperRepository,
    private readonly subscriptions: SubscriptionRepository,
  ) {}

  async latestPapers(format: FeedFormat): Promise<string> {
    const papers = await this.papers.latestReady(FEED_SIZE);
    return this.render(format, `papers.${format}`, {
      title: 'Paperboy: latest papers',
      description: 'New research papers, deduplicated across sources and tagged by topic.',
      papers,
    });
  }

  /** Every paper of the subscription's digests, whatever channel carried them; null for a bad token. */
  async subscriptionFeed(token: string, format: FeedFormat): Promise<string | null> {
    const id = verifyToken(this.settings.APP_SECRET, 'feed', token, new Date());
    const subscription = id ? await this.subscriptions.findById(id) : null;
    if (!subscription) {
      return null;
    }
    const papers = await this.papers.deliveredTo(subscription.id, FEED_SIZE);
    return this.render(format, `subscription.${format}?token=${encodeURIComponent(token)}`, {
      title: 'Paperboy: your digest',
      description: 'The papers of your Paperboy digests.',
      papers,
    });
  }

  private render(format: FeedFormat, path: string, content: { title: string; description: string; papers: PaperWithTopics[] }): string {
    const base = this.settings.PUBLIC_URL.replace(/\/+$/, '');
    const self = `${base}/feeds/${path}`;
    const feed = new Feed({
      id: self,
      title: content.title,
      description: content.description,
      link: base,
      language: 'en',
      updated:
        content.papers.length > 0
          ? content.papers.reduce((latest, paper) => (paper.updatedAt > latest ? paper.updatedAt : latest), new Date(0))
          : new Date(),
      // Atom needs an author on entries that have none of their own.
      author: { name: 'Paperboy' },
      generator: 'Paperboy',
      copyright: 'Paper metadata from arXiv (CC0) and Hugging Face',
      feedLinks: { [format]: self },
    });
    for (const paper of content.papers) {
      const title = xmlSafe(paper.title);
      feed.addItem({
        title: format === 'atom' ? escapeHtml(title) : title,
        id: paper.arxivId ? `arxiv:${paper.arxivId}` : `paperboy:${paper.id}`,
        link: paperLink(paper, base),
        date: paper.listedAt,
        published: paper.listedAt,
        description: escapeHtml(xmlSafe(paper.abstract)),
        author: paper.authors.slice(0, 10).map((name) => ({ name: xmlSafe(name) })),
        category: paper.topics.map((topic) => ({ name: topic.topic, term: topic.topic })),
      });
    }
    switch (format) {
      case 'rss':
        return feed.rss2();
      case 'atom':
        return feed.atom1();
      case 'json':
        return toJsonFeed11(feed.json1());
    }
  }
}
