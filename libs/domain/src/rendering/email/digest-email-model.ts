import {
  authorLine,
  DigestPaperView,
  DigestView,
  digestHeading,
  LEFT_OUT_LISTED,
  listedLine,
  sharedPaperView,
  shorten,
} from '../digest-view';
import { safeUrl } from '../html';
import { printable } from '../printable';

/** A link of the email: a label and where it goes. */
export interface EmailLink {
  label: string;
  url: string;
}

/** Everything the digest email templates print, already worded; the templates only lay it out. */
export interface DigestEmailModel {
  subject: string;
  heading: string;
  /** Which of the site's days the papers come from ("Papers listed Monday 7 December 2026"); '' when unknown. */
  listed: string;
  /** The line mail clients show next to the subject. */
  preheader: string;
  viewUrl: string;
  papers: {
    number: number;
    title: string;
    /** The paper's page; null when the source's link is not one to follow (see safeUrl). */
    url: string | null;
    authors: string;
    upvotes: number;
    upvoteNoun: string;
    tags: string[];
    reasons: string;
    /** The Hugging Face summary when there is one, else the abstract, shortened. */
    summary: string | null;
    abstract: string;
    links: EmailLink[];
    /** The subscriber's 👍 / 👎 links (each opens a page with one button); null when the email has none. */
    voteUp: string | null;
    voteDown: string | null;
  }[];
  /** The papers left out by the cap; `label` names what the web view lists of them (it lists `LEFT_OUT_LISTED`). */
  more: { count: number; noun: string; label: string; url: string } | null;
  footerLinks: EmailLink[];
}

const SUMMARY_CHARS = 400;
const ABSTRACT_CHARS = 600;

type PaperModel = DigestEmailModel['papers'][number];
/**
 * What the email shows of a paper whatever the subscriber: all but its number, its vote links and why it
 * is there (a for-you digest's why sentence is the subscriber's own).
 */
type SharedPaperModel = Omit<PaperModel, 'number' | 'voteUp' | 'voteDown' | 'reasons'>;

// Views are values: the same view object always makes the same model, so a fan-out that hands out one
// view per paper and interests builds each paper's model once.
const paperModels = new WeakMap<DigestPaperView, SharedPaperModel>();

/**
 * What the email shows of a paper, but its number, vote links and reasons; without control characters (see
 * printable). One per shared view: a for-you digest's own view of a paper brings its shared view's model.
 */
export function paperEmailModel(view: DigestPaperView): SharedPaperModel {
  const paper = sharedPaperView(view);
  let model = paperModels.get(paper);
  if (!model) {
    model = {
      title: printable(paper.title),
      url: safeUrl(paper.url),
      authors: printable(authorLine(paper.authors)),
      upvotes: paper.upvotes,
      upvoteNoun: paper.upvotes === 1 ? 'upvote' : 'upvotes',
      tags: paper.tags.map(printable),
      summary: paper.summary ? printable(shorten(paper.summary, SUMMARY_CHARS)) : null,
      abstract: printable(shorten(paper.abstract, ABSTRACT_CHARS)),
      links: emailLinks([
        ['arXiv', paper.arxivUrl],
        ['Hugging Face', paper.huggingFaceUrl],
        ['Code', paper.codeUrl],
      ]),
    };
    paperModels.set(paper, model);
  }
  return model;
}

const printedReasons = new WeakMap<DigestPaperView, string>();

/** Why the paper is in the digest, as the email prints it; one string per view, whose hash is then kept. */
function emailReasons(paper: DigestPaperView): string {
  let reasons = printedReasons.get(paper);
  if (reasons === undefined) {
    reasons = printable(paper.reasons.join('; '));
    printedReasons.set(paper, reasons);
  }
  return reasons;
}

/** The links worth showing: only http(s) ones leave Paperboy (see safeUrl). */
function emailLinks(candidates: [label: string, url: string | null][]): EmailLink[] {
  return candidates.flatMap(([label, url]) => {
    const safe = safeUrl(url);
    return safe === null ? [] : [{ label, url: safe }];
  });
}

export function digestEmailModel(view: DigestView): DigestEmailModel {
  const heading = digestHeading(view);
  const papers = view.papers.map((paper, index) => ({
    number: index + 1,
    ...paperEmailModel(paper),
    reasons: emailReasons(paper),
    // Our own links, like the footer's: built from the public URL and a token.
    voteUp: view.votes?.[index]?.up ?? null,
    voteDown: view.votes?.[index]?.down ?? null,
  }));
  return {
    subject: `Paperboy: ${heading}`,
    heading,
    listed: listedLine(view) ?? '',
    preheader: papers
      .slice(0, 3)
      .map((paper) => paper.title)
      .join(' · '),
    viewUrl: view.viewUrl,
    papers,
    more:
      view.omittedCount > 0
        ? {
            count: view.omittedCount,
            noun: view.omittedCount === 1 ? 'paper' : 'papers',
            label: view.omittedCount <= LEFT_OUT_LISTED ? 'All of them' : `The first ${LEFT_OUT_LISTED} of them`,
            url: view.viewUrl,
          }
        : null,
    footerLinks: [
      view.manageUrl ? { label: 'Manage your preferences', url: view.manageUrl } : null,
      { label: 'Unsubscribe with one click', url: view.unsubscribeUrl },
      { label: 'Your feed (RSS)', url: view.feedUrl },
    ].filter((link): link is EmailLink => link !== null),
  };
}
