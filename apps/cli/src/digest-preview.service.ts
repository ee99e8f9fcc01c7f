import { Injectable } from '@nestjs/common';
import { Settings } from '@libs/config';
import { DigestRepository, PaperRepository, SubscriptionRepository } from '@libs/database';
import { buildDigestView, currentPeriod, digestWindow, renderDigestEmail, subscriberLinks } from '@libs/domain';
import { CliError } from './pipeline-runner.service';

/** `digest preview`: the next digest of a subscription, rendered as its email's text, without sending it. */
@Injectable()
export class DigestPreviewService {
  constructor(
    private readonly settings: Settings,
    private readonly subscriptions: SubscriptionRepository,
    private readonly digests: DigestRepository,
    private readonly papers: PaperRepository,
  ) {}

  async preview(subscriptionId: string, now: Date): Promise<string> {
    const subscription = await this.subscriptions.findById(subscriptionId);
    if (!subscription) {
      throw new CliError(`No subscription with id "${subscriptionId}"`);
    }
    const frequency = subscription.frequency === 'weekly' ? 'weekly' : 'daily';
    // The window the next digest would have: from where the previous one's ended (see digestWindow).
    const previousEnd = await this.digests.lastPlannedFor(subscription.id, now);
    const window = digestWindow(frequency, now, previousEnd, subscription.resumedAt);
    const { paperIds, total } = await this.digests.preview(subscription, window);
    const period = currentPeriod({ ...subscription, frequency }, now);
    const state =
      subscription.status === 'active' ? '' : ` (the subscription is ${subscription.status}: nothing would be sent)`;
    if (paperIds.length === 0) {
      return `Nothing new for subscription ${subscription.id} at ${now.toISOString()}: no digest would be sent${state}.`;
    }
    const links = subscriberLinks(this.settings.PUBLIC_URL, this.settings.APP_SECRET, subscription, now);
    const view = buildDigestView({
      digest: { periodKey: period?.key ?? '(paused)', omittedCount: total - paperIds.length },
      subscription,
      papers: await this.papers.findWithTopics(paperIds),
      links: { unsubscribeUrl: links.unsubscribe, feedUrl: links.feeds.rss, viewUrl: '(preview: not sent)' },
    });
    const email = renderDigestEmail(view);
    return `Subject: ${email.subject}${state}\n\n${email.text}`;
  }
}
