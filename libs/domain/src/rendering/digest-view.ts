import { periodLabel } from '../digests/schedule';
import { safeHttpUrl } from '../links/safe-http-url';
import type { PaperVoteLinks, VoteOrigin } from '../tokens/vote-links';
import { TOPICS } from '../topics';
import { daySpanInWords, periodInWords, utcDay } from './dates';
import { readableLatex, titleName } from './latex';

/** Everything a digest template needs, already resolved; templates are pure functions of it. */
export interface DigestView {
  /** The period, a day or an ISO week of the subscriber's zone: "2026-11-29" or "2026-W48" (see periodLabel). */
  periodKey: string;
  /**
   * The UTC days the papers shown were listed on, sorted, as the site's day pages name them ("Papers of Monday 7
   * December 2026"); absent when the papers' listing times are not known.
   */
  listedDays?: string[];
  frequency: 'daily' | 'weekly';
  papers: DigestPaperView[];
  /** Matching papers left out by the cap: the message says "And N more", and links to the web view. */
  omittedCount: number;
  /**
   * The first of them (up to `LEFT_OUT_LISTED`), in digest order: listed by the web view, below the papers
   * shown ("More papers from this digest"). Empty in the messages, and for digests built before they were
   * recorded. Not delivered: they stay candidates for the next digests, and the feed does not list them.
   */
  leftOut: DigestPaperView[];
  unsubscribeUrl: string;
  feedUrl: string;
  /** The digest on the web ("view in browser"). */
  viewUrl: string;
  /** The subscriber's preferences page, when the digest goes to one subscriber. */
  manageUrl?: string;
  /**
   * The 👍 / 👎 links of each paper, in the order of `papers` (null for a paper without an id); absent when the
   * digest is rendered without them. Kept apart from the paper views, which a fan-out shares between subscribers.
   */
  votes?: (PaperVoteLinks | null)[];
}

export interface DigestPaperView {
  title: string;
  /** The paper's page (Hugging Face when listed there, else arXiv). */
  url: string;
  arxivUrl: string | null;
  huggingFaceUrl: string | null;
  authors: string[];
  upvotes: number;
  abstract: string;
  summary: string | null;
  codeUrl: string | null;
  /** The names of the paper's topics, best first. */
  tags: string[];
  /**
   * "Why this paper": topic names with the evidence that matched, or in a for-you digest the plain-words
   * sentence ("Similar to “X”, which you liked"), rule internals being for the admin and API only.
   */
  reasons: string[];
  /** An explore slot of a for-you digest: popular, outside the subscriber's usual picks. */
  explore?: boolean;
}

/** What a for-you digest recorded of one of its papers (digest_papers.explore and .why). */
export interface DigestPaperNote {
  explore: boolean;
  why: string | null;
}

/**
 * How many of the papers a capped digest leaves out its build records for the web view (the rest are
 * counted only): enough for any cap below it over a day or a week of matches, while a subscription that
 * takes every paper of a busy window costs the fan-out at most this many rows a digest.
 */
export const LEFT_OUT_LISTED = 200;

/** Hugging Face has a page for every arXiv paper (it offers to index the ones nobody submitted yet). */
const HUGGING_FACE_PAPERS = 'https://huggingface.co/papers/';
const MAX_TAGS = 5;

const TOPIC_NAMES = new Map<string, string>(TOPICS.map((topic) => [topic.slug, topic.name]));

export function topicName(slug: string): string {
  return TOPIC_NAMES.get(slug) ?? slug;
}

export function authorLine(authors: string[], max = 6): string {
  if (authors.length <= max) {
    return authors.join(', ');
  }
  return `${authors.slice(0, max).join(', ')} et al.`;
}

export function shorten(text: string, max: number): string {
  if (text.length <= max) {
    return text;
  }
  const cut = text.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max - 20)).trimEnd()}…`;
}

/** "10 new papers for Tuesday 8 December 2026", "3 new papers for the week of Monday 7 December 2026". */
export function digestHeading(view: DigestView): string {
  const count = view.papers.length;
  const noun = count === 1 ? 'paper' : 'papers';
  return `${count} new ${noun} for ${periodInWords(view.periodKey)}`;
}

/** Which of the site's days the papers come from: "Papers listed Friday 4 to Monday 7 December 2026", or null. */
export function listedLine(view: DigestView): string | null {
  const span = daySpanInWords(view.listedDays ?? []);
  return span === null ? null : `Papers listed ${span}`;
}

/** A paper as the digest templates need it; the database's paper rows have this shape. */
export interface DigestPaperSource {
  /** The paper's id: what a for-you digest's notes are keyed by. */
  id?: string;
  title: string;
  url: string | null;
  arxivId: string | null;
  authors: string[];
  upvotes: number;
  abstract: string;
  summary: string | null;
  codeUrl: string | null;
  topics: { topic: string; evidence: string[] }[];
  /** When the paper was first listed (the site's day pages go by its UTC day). */
  listedAt?: Date;
}

/** What a subscriber asked for, to explain why each paper is in their digest. */
export interface DigestInterests {
  topics: string[];
  keywords: string[];
}

type ReadableTexts = Pick<DigestPaperView, 'title' | 'authors' | 'abstract' | 'summary'>;

// Per paper object, whatever the interests: a fan-out hands the same paper to many subscribers.
const readable = new WeakMap<DigestPaperSource, ReadableTexts>();

/** Titles and abstracts from arXiv carry LaTeX: every channel shows it as readable text (see readableLatex). */
function readableTexts(paper: DigestPaperSource): ReadableTexts {
  let texts = readable.get(paper);
  if (texts === undefined) {
    const title = readableLatex(paper.title);
    const ownName = titleName(title);
    texts = {
      title,
      authors: paper.authors.map((name) => readableLatex(name)),
      abstract: readableLatex(paper.abstract, { ownName }),
      summary: paper.summary === null ? null : readableLatex(paper.summary, { ownName }),
    };
    readable.set(paper, texts);
  }
  return texts;
}

/** A paper of a digest with its "why": the subscriber's topics it carries, or its own top topics. */
export function digestPaperView(paper: DigestPaperSource, interests: DigestInterests): DigestPaperView {
  const wanted = new Set(interests.topics);
  const relevant = wanted.size > 0 ? paper.topics.filter((t) => wanted.has(t.topic)) : paper.topics.slice(0, 3);
  const reasons = relevant.map(
    (t) => `${topicName(t.topic)}${t.evidence.length > 0 ? ` (${t.evidence.slice(0, 2).join(', ')})` : ''}`,
  );
  const text = interests.keywords.length > 0 ? `${paper.title} ${paper.abstract}`.toLowerCase() : '';
  for (const keyword of interests.keywords) {
    // The first plain word of a search query is a fair hint of what matched; Postgres decided the match.
    const word = keyword.replace(/["()]/g, ' ').trim().split(/\s+/)[0]?.replace(/^-/, '').toLowerCase();
    if (word && text.includes(word.slice(0, Math.max(4, word.length - 3)))) {
      reasons.push(`keyword "${keyword}"`);
    }
  }
  const arxivUrl = paper.arxivId ? `https://arxiv.org/abs/${paper.arxivId}` : null;
  const huggingFaceUrl = paper.url?.startsWith(HUGGING_FACE_PAPERS)
    ? paper.url
    : paper.arxivId
      ? `${HUGGING_FACE_PAPERS}${paper.arxivId}`
      : null;
  const readableText = readableTexts(paper);
  return {
    title: readableText.title,
    url: safeHttpUrl(paper.url) ?? arxivUrl ?? '',
    arxivUrl,
    huggingFaceUrl,
    authors: readableText.authors,
    upvotes: paper.upvotes,
    abstract: readableText.abstract,
    summary: readableText.summary,
    codeUrl: safeHttpUrl(paper.codeUrl),
    tags: paper.topics.slice(0, MAX_TAGS).map((t) => topicName(t.topic)),
    reasons,
  };
}

// A for-you digest's view of a paper (its own why and explore mark) → the view it was made from, which a
// fan-out shares between subscribers: what renderers keep per view is then kept once per shared view.
const notedViews = new WeakMap<DigestPaperView, DigestPaperView>();

/**
 * The view a paper's view was made from but for its reasons and explore mark: the same object for every
 * subscriber the fan-out shared it with (see buildDigestView). Everything else it shows is the same.
 */
export function sharedPaperView(view: DigestPaperView): DigestPaperView {
  return notedViews.get(view) ?? view;
}

export interface DigestViewInput {
  digest: { periodKey: string; omittedCount: number };
  subscription: DigestInterests & { frequency: string };
  /** The digest's papers, in digest order. */
  papers: DigestPaperSource[];
  /** The papers it left out that the web view lists (see `DigestView.leftOut`); none for the messages. */
  leftOut?: DigestPaperSource[];
  links: { unsubscribeUrl: string; feedUrl: string; viewUrl: string; manageUrl?: string };
  /** For-you digests: each paper's explore mark and why sentence, by paper id. */
  notes?: ReadonlyMap<string, DigestPaperNote>;
  /** The subscriber's vote links of a paper shown as a digest pick or an explore slot (see paperVoteLinks). */
  voteLinks?: (paperId: string, source: VoteOrigin) => PaperVoteLinks;
}

/**
 * The digest as every channel renders it: email, Slack and the web view show the same thing. A fan-out
 * may pass its own `paperView`, one that hands out the same view for the same paper and interests.
 */
export function buildDigestView(
  { digest, subscription, papers, leftOut = [], links, notes, voteLinks }: DigestViewInput,
  paperView: typeof digestPaperView = digestPaperView,
): DigestView {
  const shown = (paper: DigestPaperSource): DigestPaperView => {
    const view = paperView(paper, subscription);
    const note = paper.id === undefined ? undefined : notes?.get(paper.id);
    if (!note) {
      return view;
    }
    const personal = { ...view, reasons: note.why ? [note.why] : [], explore: note.explore };
    notedViews.set(personal, view);
    return personal;
  };
  const listedDays = [
    ...new Set(papers.flatMap((paper) => (paper.listedAt === undefined ? [] : [utcDay(paper.listedAt)]))),
  ].sort();
  return {
    periodKey: periodLabel(digest.periodKey),
    ...(listedDays.length > 0 ? { listedDays } : {}),
    frequency: subscription.frequency === 'weekly' ? 'weekly' : 'daily',
    papers: papers.map(shown),
    omittedCount: digest.omittedCount,
    leftOut: leftOut.map((paper) => paperView(paper, subscription)),
    ...links,
    ...(voteLinks
      ? {
          votes: papers.map((paper) =>
            paper.id === undefined ? null : voteLinks(paper.id, notes?.get(paper.id)?.explore ? 'explore' : 'digest'),
          ),
        }
      : {}),
  };
}
