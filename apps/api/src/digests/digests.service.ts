import { Injectable } from '@nestjs/common';
import { Settings } from '@libs/config';
import { DigestRepository, PaperRepository, PaperWithTopics, SubscriptionRepository } from '@libs/database';
import {
  Clock,
  buildDigestView,
  digestLinks,
  digestOfToken,
  DigestView,
  paperVoteLinks,
  verifyToken,
} from '@libs/domain';
import { DigestPage, DigestPaperRef } from './digest-page';

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
    private readonly clock: Clock,
  ) {}

  /** The digest as its channels render it, or null when the token is not this digest's. */
  async view(digestId: string, token: string): Promise<DigestView | null> {
    return (await this.load(digestId, token))?.view ?? null;
  }

  /** The digest for its web page: the view, where its papers are on the site, and the subscription's cap. */
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
    return {
      view: loaded.view,
      papers: loaded.papers.map(ref),
      leftOut: loaded.leftOut.map(ref),
      maxPapers: loaded.maxPapers,
    };
  }

  private async load(
    digestId: string,
    token: string,
  ): Promise<{ view: DigestView; papers: PaperWithTopics[]; leftOut: PaperWithTopics[]; maxPapers: number } | null> {
    const now = this.clock.now();
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
    return { view, papers, leftOut, maxPapers: subscription.maxPapers };
  }
}
