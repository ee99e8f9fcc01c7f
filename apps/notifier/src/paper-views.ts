import { DigestInterests, DigestPaperSource, digestPaperView, DigestPaperView } from '@libs/domain';

const MAX_INTERESTS_PER_PAPER = 32;

/**
 * One view per paper and subscriber interests, handed out again for every digest of a fan-out that
 * shows the paper to a subscriber of the same topics and keywords. The email renderer keeps its work
 * per view object (the block's model and key), so a paper is prepared once per interests, not once per
 * digest. Views live as long as the paper object they came from (PaperCache replaces it within a
 * minute); each paper keeps the views of its most recent interests only.
 */
export class PaperViews {
  private readonly views = new WeakMap<DigestPaperSource, Map<string, DigestPaperView>>();

  readonly viewOf = (paper: DigestPaperSource, interests: DigestInterests): DigestPaperView => {
    const key = `${interests.topics.join(',')}\n${interests.keywords.join('\n')}`;
    let byInterests = this.views.get(paper);
    if (!byInterests) {
      byInterests = new Map();
      this.views.set(paper, byInterests);
    }
    let view = byInterests.get(key);
    if (!view) {
      view = digestPaperView(paper, interests);
      byInterests.set(key, view);
      if (byInterests.size > MAX_INTERESTS_PER_PAPER) {
        byInterests.delete(byInterests.keys().next().value as string);
      }
    }
    return view;
  };
}
