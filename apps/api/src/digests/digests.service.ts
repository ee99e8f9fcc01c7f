import { Injectable } from '@nestjs/common';
import { Settings } from '@libs/config';
import {
  DigestEntity,
  DigestRepository,
  PaperRepository,
  PaperWithTopics,
  SubscriptionEntity,
  SubscriptionRepository,
  VoteRepository,
} from '@libs/database';
import {
  Clock,
  buildDigestView,
  digestLinks,
  digestOfToken,
  DigestPaperNote,
  DigestView,
  paperVoteLinks,
  signVoteToken,
  verifyToken,
} from '@libs/domain';
import { DigestPage, DigestPaperRef, DigestVoteForm, PaperDigestContext } from './digest-page';

/**
 * The "view in browser" page of a digest that was sent: the same view its email was rendered from, with
 * the papers the message left out by the cap listed as well (the message's "And N more" links here).
 */
@Injectable()
export class DigestsService {
  constructor(
    private readonly settings: Settings,
    private readonly digests: DigestRepository,
    private readonly subscriptions: SubscriptionRepository,
    private readonly papers: PaperRepository,
    private readonly votes: VoteRepository,
    private readonly clock: Clock,
  ) {}

  /** The digest as its channels render it, or null when the token is not this digest's. */
  async view(digestId: string, token: string): Promise<DigestView | null> {
    return (await this.load(digestId, token))?.view ?? null;
  }

  /** The digest for its web page: the view, where its papers are on the site, its vote forms, the cap. */
  async page(digestId: string, token: string): Promise<DigestPage | null> {
    const loaded = await this.load(digestId, token);
    if (!loaded) {
      return null;
    }
    const ref = (paper: PaperWithTopics): DigestPaperRef => ({
      id: paper.id,
      arxivId: paper.arxivId,
      topics: paper.topics.map((t) => t.topic),
    });
    const current = await this.votes.votesOn(
      loaded.subscription.id,
      [...loaded.papers, ...loaded.leftOut].map((paper) => paper.id),
    );
    return {
      view: loaded.view,
      papers: loaded.papers.map(ref),
      leftOut: loaded.leftOut.map(ref),
      maxPapers: loaded.maxPapers,
      votes: loaded.papers.map((paper) =>
        this.voteForm(loaded.subscription, paper.id, loaded.notes.get(paper.id)?.explore === true, current),
      ),
      leftOutVotes: loaded.leftOut.map((paper) => this.voteForm(loaded.subscription, paper.id, false, current)),
      context: { digestId, token },
    };
  }

  /**
   * A paper page opened from a digest's web view (`?digest=&token=`, the view's own token): the paper's vote form
   * and the way back, when the token is the digest's and the paper is one its web view shows (sent, or left out by
   * the cap); else null (the page is then the public one).
   */
  async paperContext(digestId: string, token: string, paperId: string): Promise<PaperDigestContext | null> {
    const found = await this.authorised(digestId, token, this.clock.now());
    const shown = found ? [...(await this.digests.paperIdsOf(digestId)), ...(found.digest.leftOutPaperIds ?? [])] : [];
    if (!found || !shown.includes(paperId)) {
      return null;
    }
    const notes = await this.digests.notesOf(digestId);
    return {
      vote: this.voteForm(
        found.subscription,
        paperId,
        notes.get(paperId)?.explore === true,
        await this.votes.votesOn(found.subscription.id, [paperId]),
      ),
      context: { digestId, token },
    };
  }

  /** The digest and its subscription when the token is the digest's view token, under the current key version. */
  private async authorised(
    digestId: string,
    token: string,
    now: Date,
  ): Promise<{ digest: DigestEntity; subscription: SubscriptionEntity } | null> {
    // The token is signed with the subscription's key version: read it first, then verify.
    const digest = digestOfToken(token) === digestId ? await this.digests.findById(digestId) : null;
    const subscription = digest ? await this.subscriptions.findById(digest.subscriptionId) : null;
    if (
      !digest ||
      !subscription ||
      verifyToken(this.settings.APP_SECRET, 'digest', token, now, Infinity, subscription.linkVersion) !== digestId
    ) {
      return null;
    }
    return { digest, subscription };
  }

  private voteForm(
    subscription: SubscriptionEntity,
    paperId: string,
    explore: boolean,
    current: ReadonlyMap<string, 'up' | 'down'>,
  ): DigestVoteForm {
    const now = this.clock.now();
    const source = explore ? 'explore' : 'digest';
    const sign = (vote: 'up' | 'down'): string =>
      signVoteToken(this.settings.APP_SECRET, subscription, { paperId, vote, source }, now);
    return { up: sign('up'), down: sign('down'), current: current.get(paperId) ?? null };
  }

  private async load(
    digestId: string,
    token: string,
  ): Promise<{
    view: DigestView;
    papers: PaperWithTopics[];
    leftOut: PaperWithTopics[];
    maxPapers: number;
    subscription: SubscriptionEntity;
    notes: Map<string, DigestPaperNote>;
  } | null> {
    const now = this.clock.now();
    const found = await this.authorised(digestId, token, now);
    if (!found) {
      return null;
    }
    const { digest, subscription } = found;
    // The papers the message showed, and those it only counted ("And N more"), which its link leads here for.
    // A left-out paper merged into another since is no longer there: the list is only the shorter for it.
    const [papers, leftOut, notes] = await Promise.all([
      this.digests.paperIdsOf(digest.id).then((ids) => this.papers.findWithTopics(ids)),
      this.papers.findWithTopics(digest.leftOutPaperIds ?? []),
      this.digests.notesOf(digest.id),
    ]);
    const view = buildDigestView({
      digest,
      subscription,
      papers,
      leftOut,
      notes,
      links: digestLinks(this.settings.PUBLIC_URL, this.settings.APP_SECRET, subscription, digest.id, now),
      voteLinks: (paperId, source) =>
        paperVoteLinks(this.settings.PUBLIC_URL, this.settings.APP_SECRET, subscription, paperId, source, now),
    });
    return { view, papers, leftOut, maxPapers: subscription.maxPapers, subscription, notes };
  }
}
