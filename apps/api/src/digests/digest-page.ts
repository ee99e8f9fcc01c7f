import { authorLine, DigestPaperView, DigestView, digestHeading } from '@libs/domain';
import { arxivPdfUrl, safeUrl, sitePath } from '../web/links';
import { renderPage, Site } from '../web/templates';
import { LinkModel, PaperItemModel, topicChip, VoteFormModel } from '../web/web-pages';

/** Where a digest paper is on the site, and what the page links from it (the view itself has only its URLs). */
export interface DigestPaperRef {
  id: string;
  arxivId: string | null;
  /** Topic slugs, best first. */
  topics: string[];
}

/** A digest as the web view shows it: the view every channel renders, its papers' places on the site, its cap. */
export interface DigestPage {
  view: DigestView;
  /** In the order of `view.papers`, then of `view.leftOut`. */
  papers: DigestPaperRef[];
  leftOut: DigestPaperRef[];
  /** The subscription's papers-per-digest limit. */
  maxPapers: number;
  /** The vote form of each paper of `view.papers` (the papers the message showed), in order. */
  votes: DigestVoteForm[];
  /** The same for `view.leftOut`: the page shows them too. */
  leftOutVotes: DigestVoteForm[];
  /** The digest and the view's own token: the paper pages opened from here carry it, and vote forms come back here. */
  context: DigestContext;
}

/** The 👍 / 👎 tokens of a paper a subscriber was shown, and their current vote on it. */
export interface DigestVoteForm {
  up: string;
  down: string;
  current: 'up' | 'down' | null;
}

export interface DigestContext {
  digestId: string;
  token: string;
}

/** What a paper page opened from a digest adds: the paper's vote form and the way back to the digest. */
export interface PaperDigestContext {
  vote: DigestVoteForm;
  context: DigestContext;
}

/** The digest's web view, where vote forms send their voter back to. */
export function digestViewPath(site: Site, { digestId, token }: DigestContext): string {
  return sitePath(site.base, `/digests/${digestId}`, { token });
}

/** A paper's page opened from a digest: the digest's context rides along, so the page can offer its votes. */
export function digestPaperPath(site: Site, paperId: string, { digestId, token }: DigestContext): string {
  return sitePath(site.base, `/papers/${paperId}`, { digest: digestId, token });
}

/** The vote form as paper-item.hbs and paper.hbs show it (partials/vote-form.hbs). */
export function voteFormModel(site: Site, form: DigestVoteForm, back: string): VoteFormModel {
  return {
    action: `${site.base}/vote`,
    back,
    up: form.up,
    down: form.down,
    upPressed: form.current === 'up' ? 'true' : 'false',
    downPressed: form.current === 'down' ? 'true' : 'false',
  };
}

/** As many topics as the email's tags. */
const MAX_TAGS = 5;

/**
 * A sent digest on the web ("view in browser"): at least what its email shows (tags, why, summary, arXiv, PDF,
 * Hugging Face and code links), each title leading to the paper's page on the site, abstracts on demand; below
 * them, the papers that did not fit in the message, which its "And N more" links here for.
 */
export function digestPage(
  site: Site,
  { view, papers, leftOut, maxPapers, votes, leftOutVotes, context }: DigestPage,
): string {
  const back = digestViewPath(site, context);
  // Each paper links to its page with the digest's context, and has its vote form.
  const withVotes = (model: PaperItemModel, ref: DigestPaperRef | undefined, form: DigestVoteForm | undefined) =>
    ref && form
      ? { ...model, href: digestPaperPath(site, ref.id, context), vote: voteFormModel(site, form, back) }
      : model;
  const heading = digestHeading(view);
  const noun = view.omittedCount === 1 ? 'paper' : 'papers';
  const limit = `your digest holds at most ${maxPapers} ${maxPapers === 1 ? 'paper' : 'papers'}`;
  let more: { intro: string; papers: PaperItemModel[] } | null = null;
  let moreCount: string | null = null;
  if (view.leftOut.length > 0) {
    // What the message counted as "And N more" and linked here for; not sent, so still to come in a later digest.
    const which =
      view.leftOut.length < view.omittedCount
        ? `The first ${view.leftOut.length} of the ${view.omittedCount} matching papers that`
        : view.leftOut.length === 1
          ? 'The matching paper that'
          : `The ${view.leftOut.length} matching papers that`;
    more = {
      intro: `${which} did not fit in the message: ${limit}. They were not sent to you, so any still recent can come in your next digest.`,
      papers: view.leftOut.map((paper, index) =>
        withVotes(
          item(site, paper, leftOut[index], view.papers.length + index + 1),
          leftOut[index],
          leftOutVotes[index],
        ),
      ),
    };
  } else if (view.omittedCount > 0) {
    // A digest built before the papers left out were recorded: only their number is known.
    moreCount = `And ${view.omittedCount} more matching ${noun} that did not fit: ${limit}.`;
  }
  const links: LinkModel[] = [
    { href: view.feedUrl, label: 'Your feed (RSS)' },
    ...(view.manageUrl ? [{ href: view.manageUrl, label: 'Manage your preferences' }] : []),
    { href: view.unsubscribeUrl, label: 'Unsubscribe' },
  ];
  return renderPage(
    'digest',
    site,
    // The script records votes without a page reload; the forms work without it.
    { title: heading, noindex: true, script: true },
    {
      heading,
      papers: view.papers.map((paper, index) =>
        withVotes(item(site, paper, papers[index], index + 1), papers[index], votes[index]),
      ),
      more,
      moreCount,
      links,
    },
  );
}

/** One paper, numbered as in the digest. */
function item(site: Site, paper: DigestPaperView, ref: DigestPaperRef | undefined, rank: number): PaperItemModel {
  const arxivPdf = ref?.arxivId ? arxivPdfUrl(ref.arxivId) : null;
  const links = [
    paper.arxivUrl ? { label: 'arXiv', href: safeUrl(paper.arxivUrl) } : null,
    arxivPdf ? { label: 'PDF', href: arxivPdf } : null,
    paper.huggingFaceUrl ? { label: 'Hugging Face', href: safeUrl(paper.huggingFaceUrl) } : null,
    paper.codeUrl ? { label: 'Code', href: safeUrl(paper.codeUrl) } : null,
  ].filter((link): link is LinkModel => link !== null && link.href !== null);
  return {
    rank,
    // The paper's page on the site has everything; without it (a paper merged away since), its own page.
    href: ref ? `${site.base}/papers/${ref.id}` : (safeUrl(paper.url) ?? ''),
    title: paper.title,
    upvotes: paper.upvotes,
    authors: authorLine(paper.authors),
    topics: (ref?.topics ?? []).slice(0, MAX_TAGS).map((slug) => topicChip(site, slug)),
    summary: paper.summary,
    abstract: paper.abstract,
    reasons: paper.reasons.join('; '),
    ...(paper.explore ? { explore: true } : {}),
    links,
  };
}
