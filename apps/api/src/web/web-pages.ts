import { authorLine, dayInWords, Topic, TOPICS, topicName } from '@libs/domain';
import { arxivPdfUrl, arxivUrl, doiLink, hfPaperUrl, safeUrl, sitePath } from './links';
import { LayoutOptions, Nav, renderPage, Site } from './templates';

/** The public pages as view models for their templates (templates/pages/*.hbs); the engine escapes. */

export type { Site } from './templates';

/** A paper as the pages show it. */
export interface WebPaper {
  id: string;
  arxivId: string | null;
  version: number | null;
  doi: string | null;
  title: string;
  authors: string[];
  abstract: string;
  summary: string | null;
  upvotes: number;
  keywords: string[];
  categories: string[];
  url: string | null;
  codeUrl: string | null;
  projectUrl: string | null;
  listedAt: Date;
  publishedAt: Date | null;
  topics: { topic: string; score: number; evidence: string[] }[];
}

export interface LinkModel {
  href: string;
  label: string;
}

/** One paper of a list (partials/paper-item.hbs). */
export interface PaperItemModel {
  href: string;
  title: string;
  upvotes: number;
  authors: string;
  topics: { href: string; name: string }[];
  abstract: string;
  links: LinkModel[];
  /** Set on a digest's papers only. */
  rank?: number;
  summary?: string | null;
  reasons?: string;
  /** An explore slot of a for-you digest. */
  explore?: boolean;
  /** 👍 / 👎 of a paper a subscriber was shown (their digest's web view). */
  vote?: VoteFormModel;
}

/** A paper's vote form (partials/vote-form.hbs): each button posts its own vote token. */
export interface VoteFormModel {
  action: string;
  /** This page, for the vote page's "Back" link when the form is sent without JavaScript. */
  back: string;
  up: string;
  down: string;
  /** aria-pressed of each button: the subscriber's current vote. */
  upPressed: 'true' | 'false';
  downPressed: 'true' | 'false';
}

export const topicHref = (site: Site, slug: string): string => `${site.base}/topics/${encodeURIComponent(slug)}`;

export const topicChip = (site: Site, slug: string): { href: string; name: string } => ({
  href: topicHref(site, slug),
  name: topicName(slug),
});

/** arXiv, PDF, Hugging Face, DOI, the source, code and project page: those the paper has, http(s) only. */
export function paperLinks(paper: {
  arxivId: string | null;
  doi?: string | null;
  url?: string | null;
  codeUrl?: string | null;
  projectUrl?: string | null;
}): LinkModel[] {
  const links: LinkModel[] = [];
  if (paper.arxivId) {
    links.push({ label: 'arXiv', href: arxivUrl(paper.arxivId) });
    links.push({ label: 'PDF', href: arxivPdfUrl(paper.arxivId) });
    links.push({ label: 'Hugging Face', href: hfPaperUrl(paper.arxivId) });
  }
  if (paper.doi) {
    links.push({ label: 'DOI', href: doiLink(paper.doi) });
  }
  const source = safeUrl(paper.url);
  if (source && !paper.arxivId) {
    links.push({ label: 'Source', href: source });
  }
  const code = safeUrl(paper.codeUrl);
  if (code) {
    links.push({ label: 'Code', href: code });
  }
  const project = safeUrl(paper.projectUrl);
  if (project) {
    links.push({ label: 'Project page', href: project });
  }
  return links;
}

export function paperItem(site: Site, paper: WebPaper): PaperItemModel {
  return {
    href: `${site.base}/papers/${paper.id}`,
    title: paper.title,
    upvotes: paper.upvotes,
    authors: authorLine(paper.authors),
    topics: paper.topics.map((t) => topicChip(site, t.topic)),
    abstract: paper.abstract,
    links: paperLinks(paper),
  };
}

/** A page with a heading, a few short paragraphs and links: 404s, 400s, 429s, bad links. */
export function messagePage(
  site: Site,
  title: string,
  paragraphs: string[],
  options: { noindex?: boolean; nav?: Nav; links?: LinkModel[] } = {},
): string {
  const links = options.links ?? [{ href: `${site.base}/`, label: 'Back to the papers' }];
  return renderPage('message', site, { title, noindex: options.noindex, nav: options.nav }, { title, paragraphs, links });
}

export function notFoundPage(site: Site, what: string): string {
  return messagePage(site, 'Not found', [`${what} It may be mistyped, or it was never here.`]);
}

/** A page address with wrong query parameters: each named. */
export function badRequestPage(site: Site, messages: string[]): string {
  return messagePage(site, 'Please check the address', messages);
}

/** A manage link that does not work: said once, with what to do about it. */
export function badLinkPage(site: Site): string {
  return messagePage(
    site,
    'This link is not valid',
    [
      'It may be mistyped or cut short, or the subscription was cancelled. The manage link in your latest digest always works.',
    ],
    { noindex: true },
  );
}

/** "Friday 27 November 2026": the site's day pages and the digests word days alike (libs/domain rendering/dates.ts). */
export const longDate = dayInWords;

const plural = (count: number, noun: string): string => `${count} ${count === 1 ? noun : `${noun}s`}`;

const pastLastPage = (total: number, pageSize: number): string => {
  const last = Math.max(1, Math.ceil(total / pageSize));
  return `There ${last === 1 ? 'is 1 page' : `are ${last} pages`} of papers here: this page is past the last one.`;
};

/** The search box and topic filter (partials/filter-form.hbs): a plain GET form that works without JavaScript. */
function filterModel(query: { q?: string; topic?: string; date?: string }) {
  return {
    q: query.q ?? '',
    date: query.date && !query.q ? query.date : null,
    topics: TOPICS.map((t) => ({ slug: t.slug, name: t.name, selected: t.slug === query.topic })),
  };
}

/** Previous/next page links (partials/pager.hbs), or null when everything fits on one page. */
export function pagerModel(
  site: Site,
  path: string,
  params: Record<string, string | undefined>,
  page: number,
  limit: number,
  total: number,
  labels: { prev: string; next: string } = { prev: '← Newer', next: 'Older →' },
) {
  const last = Math.max(1, Math.ceil(total / limit));
  if (last <= 1) {
    return null;
  }
  return {
    page,
    last,
    prev: page > 1 ? { href: sitePath(site.base, path, { ...params, page: page - 1 }), label: labels.prev } : null,
    next: page < last ? { href: sitePath(site.base, path, { ...params, page: page + 1 }), label: labels.next } : null,
  };
}

export interface DayView {
  /** The UTC listing day shown, or null when there are no papers at all. */
  day: string | null;
  topic?: string;
  /** This page of the day's papers, most upvoted first. */
  papers: WebPaper[];
  /** Papers of the day (all pages). */
  total: number;
  page: number;
  pageSize: number;
  previousDay: string | null;
  nextDay: string | null;
}

export function homePage(site: Site, view: DayView): string {
  const topic = view.topic ? ` in ${topicName(view.topic)}` : '';
  const title = view.day ? `Papers of ${longDate(view.day)}${topic}` : 'Papers';
  const dayLink = (day: string | null) =>
    day ? { href: sitePath(site.base, '/', { date: day, topic: view.topic }), label: longDate(day) } : null;
  const first = (view.page - 1) * view.pageSize + 1;
  const last = first + view.papers.length - 1;
  const count =
    view.total > view.papers.length && view.papers.length > 0
      ? `Papers ${first}–${last} of ${view.total}, most upvoted first`
      : `${plural(view.total, 'paper')}, most upvoted first`;
  return renderPage(
    'home',
    site,
    { title, nav: 'papers' },
    {
      title,
      filter: filterModel({ topic: view.topic, date: view.day ?? undefined }),
      dayNav: view.day ? { prev: dayLink(view.previousDay), next: dayLink(view.nextDay) } : null,
      count: view.day ? count : null,
      papers: view.papers.map((paper) => paperItem(site, paper)),
      empty: !view.day
        ? 'No papers yet: the fetcher has not brought any in.'
        : view.total > 0
          ? pastLastPage(view.total, view.pageSize)
          : 'No papers were listed this day.',
      pager: view.day
        ? pagerModel(
            site,
            '/',
            { date: view.day, topic: view.topic },
            view.page,
            view.pageSize,
            view.total,
            { prev: '← More upvoted', next: 'Fewer upvotes →' },
          )
        : null,
    },
  );
}

export interface ResultsView {
  q?: string;
  topic?: string;
  date?: string;
  papers: WebPaper[];
  page: number;
  limit: number;
  total: number;
  /** Messages naming wrong query fields (400). */
  errors: string[];
}

/** Search results (best match first), or the filter form again with what was wrong. */
export function resultsPage(site: Site, view: ResultsView): string {
  const title = view.q ? `Search: ${view.q}` : 'Papers';
  const ok = view.errors.length === 0;
  // The same search as a feed, newest first, for readers that follow a query.
  const feedPath =
    view.q && ok
      ? sitePath('', view.topic ? `/feeds/topics/${encodeURIComponent(view.topic)}.rss` : '/feeds/papers.rss', {
          q: view.q,
        })
      : null;
  const feeds: LayoutOptions['feeds'] = feedPath ? [{ title: `Paperboy: papers matching "${view.q}"`, path: feedPath }] : [];
  return renderPage(
    'results',
    site,
    { title, nav: 'papers', feeds },
    {
      title,
      errors: view.errors,
      filter: filterModel(view),
      count: ok ? `${plural(view.total, 'paper')} found, best match first` : null,
      follow: feedPath
        ? {
            rss: `${site.base}${feedPath}`,
            atom: `${site.base}${feedPath.replace('.rss?', '.atom?')}`,
            json: `${site.base}${feedPath.replace('.rss?', '.json?')}`,
          }
        : null,
      papers: view.papers.map((paper) => paperItem(site, paper)),
      empty: 'No paper matches. Try fewer words, or another topic.',
      pager: pagerModel(site, '/', { q: view.q, topic: view.topic, date: view.date }, view.page, view.limit, view.total),
    },
  );
}

export interface TopicView {
  topic: Topic;
  /** Newest listing day first, most upvoted first within a day. */
  papers: WebPaper[];
  page: number;
  limit: number;
  total: number;
}

const isoDay = (date: Date): string => date.toISOString().slice(0, 10);

/** A topic's papers under a heading per UTC listing day, as the home page shows days. */
export function topicPage(site: Site, view: TopicView): string {
  const { topic } = view;
  const days: { day: string; label: string; papers: PaperItemModel[] }[] = [];
  for (const paper of view.papers) {
    const day = isoDay(paper.listedAt);
    if (days.at(-1)?.day !== day) {
      days.push({ day, label: longDate(day), papers: [] });
    }
    days[days.length - 1].papers.push(paperItem(site, paper));
  }
  const feed = (ext: string) => `${site.base}/feeds/topics/${encodeURIComponent(topic.slug)}.${ext}`;
  return renderPage(
    'topic',
    site,
    {
      title: topic.name,
      nav: 'papers',
      feeds: [{ title: `Paperboy: ${topic.name}`, path: `/feeds/topics/${encodeURIComponent(topic.slug)}.rss` }],
    },
    {
      topic: { name: topic.name, scope: topic.scope },
      subscribeHref: sitePath(site.base, '/subscribe', { topic: topic.slug }),
      todayHref: sitePath(site.base, '/', { topic: topic.slug }),
      feeds: { rss: feed('rss'), atom: feed('atom'), json: feed('json') },
      count: `${plural(view.total, 'paper')}, newest day first, most upvoted first within a day`,
      days,
      empty: view.total > 0 ? pastLastPage(view.total, view.limit) : 'No paper has this topic yet.',
      pager: pagerModel(site, `/topics/${encodeURIComponent(topic.slug)}`, {}, view.page, view.limit, view.total),
    },
  );
}

/** What a paper page shows besides the paper. */
export interface PaperPageExtras {
  /** "More like this": the papers closest to it, best first. */
  similar: WebPaper[];
  /** Opened from a subscriber's digest: the paper's vote form and the way back there. */
  fromDigest: { vote: VoteFormModel; back: string } | null;
}

export function paperPage(
  site: Site,
  paper: WebPaper,
  extras: PaperPageExtras = { similar: [], fromDigest: null },
): string {
  type Row = { term: string; value: string; href?: string; datetime?: string };
  const rows: Row[] = [
    { term: 'Authors', value: paper.authors.join(', ') || 'unknown' },
    { term: 'Upvotes', value: String(paper.upvotes) },
    {
      term: 'First listed',
      value: isoDay(paper.listedAt),
      href: sitePath(site.base, '/', { date: isoDay(paper.listedAt) }),
      datetime: paper.listedAt.toISOString(),
    },
  ];
  if (paper.publishedAt) {
    rows.push({ term: 'Published', value: isoDay(paper.publishedAt), datetime: paper.publishedAt.toISOString() });
  }
  if (paper.arxivId) {
    rows.push({
      term: 'arXiv',
      value: `${paper.arxivId}${paper.version ? `v${paper.version}` : ''}`,
      href: arxivUrl(paper.arxivId),
    });
  }
  if (paper.doi) {
    rows.push({ term: 'DOI', value: paper.doi, href: doiLink(paper.doi) });
  }
  if (paper.categories.length > 0) {
    rows.push({ term: 'Categories', value: paper.categories.join(', ') });
  }
  if (paper.keywords.length > 0) {
    rows.push({ term: 'Keywords', value: paper.keywords.join(', ') });
  }
  const fromDigest = extras.fromDigest;
  return renderPage(
    'paper',
    site,
    // Behind a digest's signed link the page carries the subscriber's vote tokens: kept out of search engines.
    { title: paper.title, nav: 'papers', ...(fromDigest ? { noindex: true, script: true } : {}) },
    {
      rows,
      fromDigest,
      similar: extras.similar.map((similar) => paperItem(site, similar)),
      paper: {
        title: paper.title,
        links: paperLinks(paper),
        summary: paper.summary,
        abstract: paper.abstract || 'No abstract.',
        why: paper.topics.map((t) => ({
          ...topicChip(site, t.topic),
          score: Math.round(t.score * 10) / 10,
          evidence: t.evidence.join('; '),
        })),
      },
    },
  );
}
