import { authorLine, safeHttpUrl, Topic, TOPICS, topicName } from '@libs/domain';

/** Pure HTML rendering of the web pages: every interpolated value goes through `esc` (or `safeUrl` for links). */

export const esc = (text: string | number): string =>
  String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

/** Only http(s) links from paper metadata: a `javascript:` URL from a source must never become a link. */
export const safeUrl = safeHttpUrl;

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

/** Where the site is mounted (the path of PUBLIC_URL, '' at the root), so links work behind a path prefix. */
export interface Site {
  base: string;
}

type Nav = 'papers' | 'subscribe' | null;

interface LayoutOptions {
  title: string;
  nav?: Nav;
  /** Pages behind a signed link are kept out of search engines. */
  noindex?: boolean;
  /** Feeds of this page's papers, offered to browsers and feed readers (after the site-wide one). */
  feeds?: { title: string; path: string }[];
  /** Loads the site's small script (same origin, deferred); every page works without it. */
  script?: boolean;
}

export function layout(site: Site, options: LayoutOptions, body: string): string {
  const current = (name: Nav): string => (options.nav === name ? ' aria-current="page"' : '');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
${options.noindex ? '<meta name="robots" content="noindex">\n' : ''}<title>${esc(options.title)} · Paperboy</title>
<link rel="stylesheet" href="${esc(site.base)}/assets/paperboy.css">
<link rel="alternate" type="application/rss+xml" title="Paperboy: latest papers" href="${esc(site.base)}/feeds/papers.rss">
${(options.feeds ?? []).map((feed) => `<link rel="alternate" type="application/rss+xml" title="${esc(feed.title)}" href="${esc(site.base)}${esc(feed.path)}">\n`).join('')}${options.script ? `<script src="${esc(site.base)}/assets/paperboy.js" defer></script>\n` : ''}</head><body>
<a class="skip" href="#main">Skip to content</a>
<header class="site-header"><div class="bar"><a class="brand" href="${esc(site.base)}/">Paperboy</a>
<nav aria-label="Main"><ul><li><a href="${esc(site.base)}/"${current('papers')}>Papers</a></li><li><a href="${esc(site.base)}/subscribe"${current('subscribe')}>Subscribe</a></li></ul></nav></div></header>
<main id="main">
${body}
</main>
<footer class="site-footer"><div>Paperboy · research-paper digests · <a href="${esc(site.base)}/feeds/papers.rss">RSS</a> · <a href="${esc(site.base)}/feeds/papers.atom">Atom</a> · <a href="${esc(site.base)}/feeds/papers.json">JSON Feed</a> · <a href="${esc(site.base)}/api/docs">API</a></div></footer>
</body></html>`;
}

/** A page with a heading and a short message: 404s, "check your inbox", errors. */
export function messagePage(
  site: Site,
  title: string,
  message: string,
  options: { noindex?: boolean; nav?: Nav } = {},
): string {
  return layout(
    site,
    { title, ...options },
    `<h1>${esc(title)}</h1>\n<p>${esc(message)}</p>\n<p><a href="${esc(site.base)}/">Back to the papers</a></p>`,
  );
}

export function notFoundPage(site: Site, what: string): string {
  return messagePage(site, 'Not found', `${what} It may be mistyped, or it was never here.`);
}

export function hfPaperUrl(arxivId: string): string {
  return `https://huggingface.co/papers/${encodeURIComponent(arxivId)}`;
}

export function arxivUrl(arxivId: string): string {
  return `https://arxiv.org/abs/${encodeURIComponent(arxivId)}`;
}

function topicChips(site: Site, paper: WebPaper): string {
  if (paper.topics.length === 0) {
    return '';
  }
  const chips = paper.topics
    .map(
      (t) =>
        `<li><a class="chip" href="${esc(site.base)}/topics/${esc(encodeURIComponent(t.topic))}">${esc(topicName(t.topic))}</a></li>`,
    )
    .join('');
  return `<ul class="chips" aria-label="Topics">${chips}</ul>`;
}

function externalLinks(paper: WebPaper): string {
  const links: string[] = [];
  if (paper.arxivId) {
    links.push(`<li><a href="${esc(arxivUrl(paper.arxivId))}">arXiv</a></li>`);
    links.push(`<li><a href="${esc(`https://arxiv.org/pdf/${encodeURIComponent(paper.arxivId)}`)}">PDF</a></li>`);
    links.push(`<li><a href="${esc(hfPaperUrl(paper.arxivId))}">Hugging Face</a></li>`);
  }
  if (paper.doi) {
    links.push(`<li><a href="${esc(`https://doi.org/${paper.doi}`)}">DOI</a></li>`);
  }
  const source = safeUrl(paper.url);
  if (source && !paper.arxivId) {
    links.push(`<li><a href="${esc(source)}">Source</a></li>`);
  }
  const code = safeUrl(paper.codeUrl);
  if (code) {
    links.push(`<li><a href="${esc(code)}">Code</a></li>`);
  }
  const project = safeUrl(paper.projectUrl);
  if (project) {
    links.push(`<li><a href="${esc(project)}">Project page</a></li>`);
  }
  return links.length > 0 ? `<ul class="links" aria-label="Links">${links.join('')}</ul>` : '';
}

function paperItem(site: Site, paper: WebPaper): string {
  const href = `${site.base}/papers/${paper.id}`;
  return `<li class="paper"><div class="votes" aria-label="${esc(paper.upvotes)} upvotes">${esc(paper.upvotes)}<span>upvotes</span></div>
<article class="paper-body"><h2><a href="${esc(href)}">${esc(paper.title)}</a></h2>
<p class="authors">${esc(authorLine(paper.authors))}</p>
${topicChips(site, paper)}
${paper.abstract ? `<details><summary>Abstract</summary><p>${esc(paper.abstract)}</p></details>` : ''}
${externalLinks(paper)}</article></li>`;
}

export function paperList(site: Site, papers: WebPaper[], empty: string): string {
  if (papers.length === 0) {
    return `<p class="muted">${esc(empty)}</p>`;
  }
  return `<ol class="papers">${papers.map((paper) => paperItem(site, paper)).join('\n')}</ol>`;
}

function topicOptions(selected: string | undefined): string {
  return TOPICS.map(
    (t) => `<option value="${esc(t.slug)}"${t.slug === selected ? ' selected' : ''}>${esc(t.name)}</option>`,
  ).join('');
}

/** The search and topic filter of the home page: a plain GET form, so it works without JavaScript. */
function filterForm(site: Site, query: { q?: string; topic?: string; date?: string }): string {
  return `<form class="toolbar" role="search" method="get" action="${esc(site.base)}/">
<div class="grow"><label for="q">Search papers</label><input type="search" id="q" name="q" value="${esc(query.q ?? '')}" maxlength="200" placeholder='e.g. "test-time scaling" -survey'></div>
<div><label for="topic">Topic</label><select id="topic" name="topic"><option value="">All topics</option>${topicOptions(query.topic)}</select></div>
${query.date && !query.q ? `<input type="hidden" name="date" value="${esc(query.date)}">` : ''}
<div><button type="submit">Go</button></div></form>`;
}

function href(site: Site, path: string, params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') {
      search.set(key, String(value));
    }
  }
  const text = search.toString();
  return `${site.base}${path}${text ? `?${text}` : ''}`;
}

const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "Friday 27 November 2026", spelled out here rather than by ICU, whose punctuation varies between Node builds. */
export function longDate(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  return `${WEEKDAY_NAMES[date.getUTCDay()]} ${date.getUTCDate()} ${MONTH_NAMES[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

export interface DayView {
  /** The UTC listing day shown, or null when there are no papers at all. */
  day: string | null;
  topic?: string;
  papers: WebPaper[];
  total: number;
  previousDay: string | null;
  nextDay: string | null;
}

export function homePage(site: Site, view: DayView): string {
  const topic = view.topic ? ` in ${topicName(view.topic)}` : '';
  const title = view.day ? `Papers of ${longDate(view.day)}${topic}` : 'Papers';
  const nav = view.day
    ? `<nav class="daynav" aria-label="Days">${
        view.previousDay
          ? `<a rel="prev" href="${esc(href(site, '/', { date: view.previousDay, topic: view.topic }))}">← ${esc(longDate(view.previousDay))}</a>`
          : '<span></span>'
      }${
        view.nextDay
          ? `<a rel="next" href="${esc(href(site, '/', { date: view.nextDay, topic: view.topic }))}">${esc(longDate(view.nextDay))} →</a>`
          : '<span></span>'
      }</nav>`
    : '';
  const count =
    view.total > view.papers.length
      ? `${view.papers.length} of ${view.total} papers, most upvoted first`
      : `${view.total} ${view.total === 1 ? 'paper' : 'papers'}, most upvoted first`;
  const body = `<h1>${esc(title)}</h1>
${filterForm(site, { topic: view.topic, date: view.day ?? undefined })}
${nav}
${view.day ? `<p class="muted small">${esc(count)}</p>` : ''}
${paperList(site, view.papers, view.day ? 'No papers were listed this day.' : 'No papers yet: the fetcher has not brought any in.')}
${nav}`;
  return layout(site, { title, nav: 'papers' }, body);
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

export function pager(
  site: Site,
  path: string,
  params: Record<string, string | undefined>,
  page: number,
  limit: number,
  total: number,
): string {
  const last = Math.max(1, Math.ceil(total / limit));
  if (last <= 1) {
    return '';
  }
  const prev =
    page > 1
      ? `<a rel="prev" href="${esc(href(site, path, { ...params, page: page - 1 }))}">← Newer</a>`
      : '<span></span>';
  const next =
    page < last
      ? `<a rel="next" href="${esc(href(site, path, { ...params, page: page + 1 }))}">Older →</a>`
      : '<span></span>';
  return `<nav class="pager" aria-label="Pages">${prev}<span class="muted">Page ${esc(page)} of ${esc(last)}</span>${next}</nav>`;
}

/** Search results (best match first), or the filter form again with what was wrong. */
export function resultsPage(site: Site, view: ResultsView): string {
  const title = view.q ? `Search: ${view.q}` : 'Papers';
  const errors =
    view.errors.length > 0
      ? `<div class="summary" role="alert"><h2>Please check your search</h2><ul>${view.errors.map((e) => `<li>${esc(e)}</li>`).join('')}</ul></div>`
      : '';
  const summary =
    view.errors.length === 0
      ? `<p class="muted small">${esc(view.total)} ${view.total === 1 ? 'paper' : 'papers'} found, best match first</p>`
      : '';
  const params = { q: view.q, topic: view.topic, date: view.date };
  // The same search as a feed, newest first, for readers that follow a query.
  const feedPath =
    view.q && view.errors.length === 0
      ? href({ base: '' }, view.topic ? `/feeds/topics/${encodeURIComponent(view.topic)}.rss` : '/feeds/papers.rss', {
          q: view.q,
        })
      : null;
  const follow = feedPath
    ? `<p class="small">Follow this search: <a href="${esc(site.base)}${esc(feedPath)}">RSS</a> · <a href="${esc(site.base)}${esc(feedPath.replace('.rss?', '.atom?'))}">Atom</a> · <a href="${esc(site.base)}${esc(feedPath.replace('.rss?', '.json?'))}">JSON Feed</a></p>`
    : '';
  const body = `<h1>${esc(title)}</h1>
${errors}${filterForm(site, { q: view.q, topic: view.topic, date: view.date })}
${summary}${follow}
${view.errors.length === 0 ? paperList(site, view.papers, 'No paper matches. Try fewer words, or another topic.') : ''}
${pager(site, '/', params, view.page, view.limit, view.total)}`;
  const feeds = feedPath ? [{ title: `Paperboy: papers matching "${view.q}"`, path: feedPath }] : [];
  return layout(site, { title, nav: 'papers', feeds }, body);
}

export interface TopicView {
  topic: Topic;
  papers: WebPaper[];
  page: number;
  limit: number;
  total: number;
}

export function topicPage(site: Site, view: TopicView): string {
  const { topic } = view;
  const body = `<h1>${esc(topic.name)}</h1>
<p>${esc(topic.scope)}</p>
<p><a href="${esc(href(site, '/subscribe', { topic: topic.slug }))}">Get these papers in your digest</a> · <a href="${esc(href(site, '/', { topic: topic.slug }))}">Today's ${esc(topic.name)} papers</a></p>
<p class="small">Feed of this topic: <a href="${esc(site.base)}/feeds/topics/${esc(topic.slug)}.rss">RSS</a> · <a href="${esc(site.base)}/feeds/topics/${esc(topic.slug)}.atom">Atom</a> · <a href="${esc(site.base)}/feeds/topics/${esc(topic.slug)}.json">JSON Feed</a></p>
<p class="muted small">${esc(view.total)} ${view.total === 1 ? 'paper' : 'papers'}, newest first</p>
${paperList(site, view.papers, 'No paper has this topic yet.')}
${pager(site, `/topics/${encodeURIComponent(topic.slug)}`, {}, view.page, view.limit, view.total)}`;
  return layout(
    site,
    {
      title: topic.name,
      nav: 'papers',
      feeds: [{ title: `Paperboy: ${topic.name}`, path: `/feeds/topics/${topic.slug}.rss` }],
    },
    body,
  );
}

const isoDay = (date: Date): string => date.toISOString().slice(0, 10);

export function paperPage(site: Site, paper: WebPaper): string {
  const rows: [string, string][] = [
    ['Authors', esc(paper.authors.join(', ') || 'unknown')],
    ['Upvotes', esc(paper.upvotes)],
    [
      'First listed',
      `<a href="${esc(href(site, '/', { date: isoDay(paper.listedAt) }))}"><time datetime="${esc(paper.listedAt.toISOString())}">${esc(isoDay(paper.listedAt))}</time></a>`,
    ],
  ];
  if (paper.publishedAt) {
    rows.push([
      'Published',
      `<time datetime="${esc(paper.publishedAt.toISOString())}">${esc(isoDay(paper.publishedAt))}</time>`,
    ]);
  }
  if (paper.arxivId) {
    rows.push([
      'arXiv',
      `<a href="${esc(arxivUrl(paper.arxivId))}">${esc(paper.arxivId)}${paper.version ? `v${esc(paper.version)}` : ''}</a>`,
    ]);
  }
  if (paper.doi) {
    rows.push(['DOI', `<a href="${esc(`https://doi.org/${paper.doi}`)}">${esc(paper.doi)}</a>`]);
  }
  if (paper.categories.length > 0) {
    rows.push(['Categories', esc(paper.categories.join(', '))]);
  }
  if (paper.keywords.length > 0) {
    rows.push(['Keywords', esc(paper.keywords.join(', '))]);
  }
  const why =
    paper.topics.length > 0
      ? `<ul class="why">${paper.topics
          .map(
            (t) =>
              `<li><a class="chip" href="${esc(site.base)}/topics/${esc(encodeURIComponent(t.topic))}">${esc(topicName(t.topic))}</a> <span class="muted small">score ${esc(Math.round(t.score * 10) / 10)}</span>${
                t.evidence.length > 0 ? ` — why: ${esc(t.evidence.join('; '))}` : ''
              }</li>`,
          )
          .join('')}</ul>`
      : '<p class="muted">No topic yet.</p>';
  const body = `<article><h1>${esc(paper.title)}</h1>
<dl class="meta">${rows.map(([term, value]) => `<dt>${esc(term)}</dt><dd>${value}</dd>`).join('')}</dl>
${externalLinks(paper)}
${paper.summary ? `<h2>Summary</h2><p>${esc(paper.summary)}</p>` : ''}
<h2>Abstract</h2><p>${esc(paper.abstract || 'No abstract.')}</p>
<h2>Topics</h2>${why}</article>`;
  return layout(site, { title: paper.title, nav: 'papers' }, body);
}
