import { Injectable } from '@nestjs/common';
import { Settings } from '@libs/config';
import { DigestRepository, PaperRepository, PaperWithTopics, SubscriptionEntity } from '@libs/database';
import { DEFAULT_LOOKBACK_DAYS } from '@libs/domain';
import { PaperItem } from '../papers/papers.service';
import { SubscriptionPreferencesDto } from '../subscriptions/dto/create-subscription.dto';
import { Site } from './templates';
import { WebPaper } from './web-pages';
import { PreviewView } from './web-subscription-pages';

const DAY = 24 * 3600 * 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FAR_FUTURE = new Date('9999-01-01T00:00:00Z');
/** No subscription has this id, so a preview excludes no paper as already delivered. */
const NO_SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';

const utcDay = (date: Date): string => date.toISOString().slice(0, 10);

export interface DayListing {
  papers: WebPaper[];
  total: number;
  previousDay: string | null;
  nextDay: string | null;
}

/** The reads of the web pages that GET /api/papers has no shape for: a whole listing day, its neighbours, one paper. */
@Injectable()
export class WebPapersService {
  readonly site: Site;

  constructor(
    settings: Settings,
    private readonly papers: PaperRepository,
    private readonly digests: DigestRepository,
  ) {
    // Links are root-relative to wherever PUBLIC_URL mounts the api (a path prefix behind a proxy).
    this.site = { base: new URL(settings.PUBLIC_URL).pathname.replace(/\/+$/, '') };
  }

  /** The UTC day of the most recently listed ready paper (of a topic), or null when there is none. */
  async latestDay(topic: string | null): Promise<string | null> {
    const { papers } = await this.papers.search({
      query: null,
      topic,
      listed: null,
      minUpvotes: 0,
      offset: 0,
      limit: 1,
    });
    return papers.length > 0 ? utcDay(papers[0].listedAt) : null;
  }

  /**
   * A page of a listing day's ready papers, most upvoted first, and the nearest earlier and later days that
   * have papers.
   */
  async day(day: string, topic: string | null, page: number, pageSize: number): Promise<DayListing> {
    const from = new Date(`${day}T00:00:00Z`);
    const to = new Date(from.getTime() + DAY);
    const search = { query: null, topic, minUpvotes: 0 };
    const [listed, before, after] = await Promise.all([
      this.papers.search({
        ...search,
        listed: { from, to },
        order: 'day-then-upvotes',
        offset: (page - 1) * pageSize,
        limit: pageSize,
      }),
      this.papers.search({ ...search, listed: { from: new Date(0), to: from }, offset: 0, limit: 1 }),
      this.papers.search({ ...search, listed: { from: to, to: FAR_FUTURE }, offset: 0, limit: 1 }),
    ]);
    // Newest first, so the oldest later paper is the last one: one more read at its offset.
    const oldestAfter =
      after.total > 1
        ? (
            await this.papers.search({
              ...search,
              listed: { from: to, to: FAR_FUTURE },
              offset: after.total - 1,
              limit: 1,
            })
          ).papers
        : after.papers;
    return {
      papers: listed.papers.map(toWebPaper),
      total: listed.total,
      previousDay: before.papers.length > 0 ? utcDay(before.papers[0].listedAt) : null,
      nextDay: oldestAfter.length > 0 ? utcDay(oldestAfter[0].listedAt) : null,
    };
  }

  /** A page of a topic's ready papers: newest listing day first, most upvoted first within a day. */
  async topic(slug: string, page: number, pageSize: number): Promise<{ papers: WebPaper[]; total: number }> {
    const { papers, total } = await this.papers.search({
      query: null,
      topic: slug,
      listed: null,
      minUpvotes: 0,
      order: 'day-then-upvotes',
      offset: (page - 1) * pageSize,
      limit: pageSize,
    });
    return { papers: papers.map(toWebPaper), total };
  }

  /**
   * What a digest with these preferences would have held if it were sent now: the notifier's own selection
   * (topics, keywords, exclusions, upvotes, ranking, cap) over its lookback window, without recording anything.
   */
  async preview(preferences: SubscriptionPreferencesDto, now: Date): Promise<PreviewView> {
    const frequency = preferences.frequency === 'weekly' ? 'weekly' : 'daily';
    const days = DEFAULT_LOOKBACK_DAYS[frequency];
    const draft = Object.assign(new SubscriptionEntity(), {
      id: NO_SUBSCRIPTION,
      status: 'active',
      topics: preferences.topics ?? [],
      keywords: preferences.keywords ?? [],
      excludeTopics: preferences.excludeTopics ?? [],
      minUpvotes: preferences.minUpvotes ?? 0,
      maxPapers: preferences.maxPapers ?? 20,
      frequency,
    });
    const { paperIds, total } = await this.digests.preview(draft, {
      listedAfter: new Date(now.getTime() - days * DAY),
      listedUntil: now,
    });
    const papers = await this.papers.findWithTopics(paperIds);
    return { papers: papers.map(toWebPaper), total, days };
  }

  /** A ready paper by id, or null (also for an id that is not a UUID, which Postgres would refuse). */
  async paper(id: string): Promise<WebPaper | null> {
    if (!UUID.test(id)) {
      return null;
    }
    const [paper] = await this.papers.findWithTopics([id]);
    return paper && paper.readyAt !== null ? toWebPaper(paper) : null;
  }
}

export function toWebPaper(paper: PaperWithTopics): WebPaper {
  return {
    id: paper.id,
    arxivId: paper.arxivId,
    version: paper.version,
    doi: paper.doi,
    title: paper.title,
    authors: paper.authors,
    abstract: paper.abstract,
    summary: paper.summary,
    upvotes: paper.upvotes,
    keywords: paper.keywords,
    categories: paper.categories,
    url: paper.url,
    codeUrl: paper.codeUrl,
    projectUrl: paper.projectUrl,
    listedAt: new Date(paper.listedAt),
    publishedAt: paper.publishedAt ? new Date(paper.publishedAt) : null,
    topics: paper.topics.map(({ topic, score, evidence }) => ({ topic, score, evidence })),
  };
}

/** A search result of PapersService (GET /api/papers' items) as the list pages show it. */
export function itemToWebPaper(item: PaperItem): WebPaper {
  return {
    ...item,
    version: null,
    summary: null,
    keywords: [],
    categories: [],
    codeUrl: null,
    projectUrl: null,
    listedAt: new Date(item.listedAt),
    publishedAt: null,
  };
}
