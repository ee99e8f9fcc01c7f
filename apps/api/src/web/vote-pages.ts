import { readableLatex, type VoteChoice } from '@libs/domain';
import { renderPage, Site } from './templates';
import { LinkModel } from './web-pages';

/** A button of a vote form: it posts its token. */
interface VoteButton {
  token: string;
  label: string;
  secondary?: boolean;
}

/** What the vote pages show: the paper, what the link does, and where to go back to. */
export interface VotePageView {
  paper: { id: string; title: string };
  vote: VoteChoice;
  /** A page of the site the vote was cast from (a digest's web view, a paper page), when it is one. */
  back: string | null;
}

const LABELS: Record<VoteChoice, string> = {
  up: '👍 Useful',
  down: '👎 Not for me',
  none: 'Take my vote back',
};

const INTRO =
  'Your digests learn from your votes: papers like those you find useful come first, and you can change a vote at any time.';

/**
 * The page a vote link opens (GET): the paper and one button. Nothing is recorded until the button is pressed,
 * so the mail scanners and link unfurlers that fetch every link of a message vote for nobody.
 */
export function voteConfirmPage(site: Site, view: VotePageView & { token: string }): string {
  const heading =
    view.vote === 'up'
      ? 'Is this paper useful to you?'
      : view.vote === 'down'
        ? 'Is this paper not for you?'
        : 'Take back your vote on this paper?';
  return page(site, view, heading, null, [{ token: view.token, label: confirmLabel(view.vote) }]);
}

/** After the button (POST): what was recorded, and a button to undo it (or to vote again, once taken back). */
export function voteDonePage(
  site: Site,
  view: VotePageView & { tokens: { up: string; down: string; none: string } },
): string {
  if (view.vote === 'none') {
    return page(site, view, 'Vote taken back', 'Your vote on this paper is taken back.', [
      { token: view.tokens.up, label: LABELS.up, secondary: true },
      { token: view.tokens.down, label: LABELS.down, secondary: true },
    ]);
  }
  const notice = view.vote === 'up' ? 'Saved: 👍 useful to you.' : 'Saved: 👎 not for you.';
  return page(site, view, 'Thank you', notice, [{ token: view.tokens.none, label: 'Undo', secondary: true }]);
}

function confirmLabel(vote: VoteChoice): string {
  return vote === 'up' ? '👍 Yes, useful to me' : vote === 'down' ? '👎 Yes, not for me' : LABELS.none;
}

function page(site: Site, view: VotePageView, heading: string, notice: string | null, buttons: VoteButton[]): string {
  const paperHref = `${site.base}/papers/${view.paper.id}`;
  const links: LinkModel[] = [
    ...(view.back
      ? [{ href: view.back, label: view.back.includes('/digests/') ? 'Back to your digest' : 'Back to the paper' }]
      : []),
    ...(view.back === null ? [{ href: paperHref, label: 'Open the paper' }] : []),
    { href: `${site.base}/`, label: 'Latest papers' },
  ];
  return renderPage(
    'vote',
    site,
    { title: heading, noindex: true },
    {
      heading,
      notice,
      paper: { href: paperHref, title: readableLatex(view.paper.title) },
      intro: INTRO,
      action: `${site.base}/vote`,
      back: view.back,
      buttons,
      links,
    },
  );
}

/**
 * Where a vote form may send its voter back to: a digest's web view or a paper page of this site (with the
 * query that carries their digest context), never another site.
 */
export function voteBackLink(site: Site, back: unknown): string | null {
  if (typeof back !== 'string' || back.length > 1000) {
    return null;
  }
  const path = back.startsWith(site.base) ? back.slice(site.base.length) : null;
  return path !== null && /^\/(digests|papers)\/[0-9a-f-]{36}(\?[\w\-.~%=&]*)?$/i.test(path) ? back : null;
}
