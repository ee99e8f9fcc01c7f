import { Injectable } from '@nestjs/common';
import { Feed } from 'feed';
import { Settings } from '@libs/config';
import { PaperRepository } from '@libs/database';

const FEED_SIZE = 200;

/**
 * Text safe for the feed's XML: control characters XML forbids are dropped, and "]]>" is broken up
 * because the `feed` package's CDATA writer escapes only its first occurrence.
 */
function xmlSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '').replace(/]]>/g, ']] >');
}

/** The public feed of the latest ready papers, rendered with the `feed` package. */
@Injectable()
export class FeedsService {
  constructor(
    private readonly settings: Settings,
    private readonly papers: PaperRepository,
  ) {}

  async latestPapersRss(): Promise<string> {
    const base = this.settings.PUBLIC_URL.replace(/\/+$/, '');
    const papers = await this.papers.latestReady(FEED_SIZE);
    const feed = new Feed({
      id: `${base}/feeds/papers.rss`,
      title: 'Paperboy: latest papers',
      description: 'New research papers, deduplicated across sources and tagged by topic.',
      link: base,
      language: 'en',
      updated: papers[0]?.updatedAt ?? new Date(0),
      generator: 'Paperboy',
      copyright: 'Paper metadata from arXiv (CC0) and Hugging Face',
      feedLinks: { rss: `${base}/feeds/papers.rss` },
    });
    for (const paper of papers) {
      const link = paper.url ?? (paper.arxivId ? `https://arxiv.org/abs/${paper.arxivId}` : base);
      feed.addItem({
        title: xmlSafe(paper.title),
        id: paper.arxivId ? `arxiv:${paper.arxivId}` : `paperboy:${paper.id}`,
        link,
        date: paper.listedAt,
        description: xmlSafe(paper.abstract),
        author: paper.authors.slice(0, 10).map((name) => ({ name: xmlSafe(name) })),
        category: paper.topics.map((topic) => ({ name: topic.topic })),
      });
    }
    return feed.rss2();
  }
}
