import { Injectable } from '@nestjs/common';
import { Settings } from '@libs/config';
import { DigestRepository, PaperRepository, SubscriptionRepository } from '@libs/database';
import { buildDigestView, digestLinks, DigestView, verifyToken } from '@libs/domain';

/** The "view in browser" page of a digest that was sent: the same view its email was rendered from. */
@Injectable()
export class DigestsService {
  constructor(
    private readonly settings: Settings,
    private readonly digests: DigestRepository,
    private readonly subscriptions: SubscriptionRepository,
    private readonly papers: PaperRepository,
  ) {}

  /** The digest as its channels render it, or null when the token is not this digest's. */
  async view(digestId: string, token: string): Promise<DigestView | null> {
    const now = new Date();
    if (verifyToken(this.settings.APP_SECRET, 'digest', token, now) !== digestId) {
      return null;
    }
    const digest = await this.digests.findById(digestId);
    const subscription = digest ? await this.subscriptions.findById(digest.subscriptionId) : null;
    if (!digest || !subscription) {
      return null;
    }
    const papers = await this.papers.findWithTopics(await this.digests.paperIdsOf(digest.id));
    return buildDigestView({
      digest,
      subscription,
      papers,
      links: digestLinks(this.settings.PUBLIC_URL, this.settings.APP_SECRET, subscription.id, digest.id, now),
    });
  }
}
