import type { Profile } from '../relevance/profile.service';
import { renderPage, Site } from './templates';

export interface ProfileView {
  profile: Profile;
  /** Where the page's forms post: its own URL (token included). */
  action: string;
  manageUrl: string;
  notice: string | null;
  /** "Reset my profile" was pressed: ask once more. */
  confirmReset: boolean;
}

/** "My profile": liked and disliked papers, followed authors and the heaviest terms, each removable. */
export function profilePage(site: Site, view: ProfileView): string {
  const { profile } = view;
  const paper = (vote: Profile['liked'][number]) => ({
    id: vote.paper.id,
    title: vote.paper.title,
    href: `${site.base}/papers/${encodeURIComponent(vote.paper.id)}`,
    seed: vote.source === 'seed',
  });
  const term = (direction: 'liked' | 'disliked') => (entry: Profile['terms']['liked'][number]) => ({
    term: entry.term,
    label: entry.label,
    direction,
    votes: `${entry.paperIds.length} ${direction === 'liked' ? 'liked' : 'disliked'} ${entry.paperIds.length === 1 ? 'paper' : 'papers'}`,
  });
  const termsFor = profile.terms.liked.map(term('liked'));
  const termsAgainst = profile.terms.disliked.map(term('disliked'));
  return renderPage(
    'profile',
    site,
    { title: view.confirmReset ? 'Reset your profile?' : 'My profile', noindex: true },
    {
      action: view.action,
      manageUrl: view.manageUrl,
      notice: view.notice,
      confirmReset: view.confirmReset,
      hasTerms: termsFor.length + termsAgainst.length > 0,
      // Votes the model was not trained on yet (a training follows each change within a minute).
      learning: profile.liked.length + profile.disliked.length > 0,
      termsFor,
      termsAgainst,
      liked: profile.liked.map(paper),
      disliked: profile.disliked.map(paper),
      pending: profile.pendingSeeds.map((seed) => ({ arxivId: seed.arxivId })),
      authors: profile.followedAuthors,
    },
  );
}
