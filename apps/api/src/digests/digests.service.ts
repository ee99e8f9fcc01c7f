import { Injectable } from '@nestjs/common';
import { Settings } from '@libs/config';
import { DigestRepository, PaperRepository, SubscriptionRepository } from '@libs/database';
import { buildDigestView, digestLinks, renderDigestEmail, verifyToken } from '@libs/domain';

/** The "view in browser" page of a digest that was sent: the same rendering as its email. */
@Injectable()
export class DigestsService {
  constructor(
    private readonly settings: Settings,
    private readonly digests: DigestRepository,
    private readonly subscriptions: SubscriptionRepository,
    private readonly papers: PaperRepository,
  ) {}

  /** The digest's HTML, or null when the token is not this digest's. */
  async page(digestId: string, token: string): Promise<string | null> {
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
    const view = buildDigestView({
      digest,
      subscription,
      papers,
      links: digestLinks(this.settings.PUBLIC_URL, this.settings.APP_SECRET, subscription.id, digest.id, now),
    });
    return renderDigestEmail(view).html;
  }
}
