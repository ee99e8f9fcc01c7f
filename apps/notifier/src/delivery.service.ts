import { Injectable, Logger } from '@nestjs/common';
import { Settings } from '@libs/config';
import {
  DeliveryEntity,
  DigestEntity,
  DigestRepository,
  PaperRepository,
  PaperWithTopics,
  SubscriptionEntity,
  SubscriptionRepository,
} from '@libs/database';
import { PermanentError, subscriberLinks } from '@libs/domain';
import { EmailChannel } from './channels/email.channel';
import { SlackChannel } from './channels/slack.channel';
import { DigestPaperView, DigestView, topicName } from './templates/digest-view';

/**
 * Sends one channel's delivery of a digest. The ledger row is claimed before sending, so a job run
 * twice sends once; a transient failure puts it back to pending for the job's retry.
 */
@Injectable()
export class DeliveryService {
  private readonly logger = new Logger(DeliveryService.name);

  constructor(
    private readonly settings: Settings,
    private readonly digests: DigestRepository,
    private readonly subscriptions: SubscriptionRepository,
    private readonly papers: PaperRepository,
    private readonly email: EmailChannel,
    private readonly slack: SlackChannel,
  ) {}

  async send(deliveryId: string): Promise<'sent' | 'skipped'> {
    const delivery = await this.digests.claimDelivery(deliveryId);
    if (!delivery) {
      return 'skipped';
    }
    try {
      const digest = await this.digests.findById(delivery.digestId);
      const subscription = digest ? await this.subscriptions.findById(digest.subscriptionId) : null;
      if (!digest || !subscription) {
        throw new PermanentError(`Delivery ${deliveryId} has lost its digest or subscription`);
      }
      if (subscription.status !== 'active') {
        throw new PermanentError(`Subscription ${subscription.id} is ${subscription.status}; nothing sent`);
      }
      const view = await this.viewOf(digest, subscription);
      const response = await this.deliver(delivery, digest, subscription, view);
      await this.digests.finishDelivery(deliveryId, { status: 'sent', providerResponse: response }, new Date());
      this.logger.log(`digest ${digest.id} sent by ${delivery.channel} (${view.papers.length} papers)`);
      return 'sent';
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const permanent = error instanceof PermanentError;
      await this.digests.finishDelivery(deliveryId, { status: permanent ? 'failed' : 'pending', error: message }, new Date());
      throw error;
    }
  }

  private deliver(
    delivery: DeliveryEntity,
    digest: DigestEntity,
    subscription: SubscriptionEntity,
    view: DigestView,
  ): Promise<string> {
    switch (delivery.channel) {
      case 'email':
        return this.email.sendDigest(subscription.email as string, digest.id, view);
      case 'slack':
        return this.slack.sendDigest(subscription.slackWebhookUrl as string, view);
    }
  }

  private async viewOf(digest: DigestEntity, subscription: SubscriptionEntity): Promise<DigestView> {
    const ids = await this.digests.paperIdsOf(digest.id);
    const byId = new Map((await this.papers.findWithTopics(ids)).map((paper) => [paper.id, paper]));
    const links = subscriberLinks(this.settings.PUBLIC_URL, this.settings.APP_SECRET, subscription.id, new Date());
    return {
      periodKey: digest.periodKey,
      frequency: subscription.frequency === 'weekly' ? 'weekly' : 'daily',
      papers: ids.map((id) => byId.get(id)).filter((p): p is PaperWithTopics => p !== undefined).map((p) => paperView(p, subscription)),
      omittedCount: digest.omittedCount,
      unsubscribeUrl: links.unsubscribe,
      feedUrl: `${this.settings.PUBLIC_URL.replace(/\/+$/, '')}/feeds/papers.rss`,
    };
  }
}

function paperView(paper: PaperWithTopics, subscription: SubscriptionEntity): DigestPaperView {
  const wanted = new Set(subscription.topics);
  const relevant = wanted.size > 0 ? paper.topics.filter((t) => wanted.has(t.topic)) : paper.topics.slice(0, 3);
  const reasons = relevant.map((t) => `${topicName(t.topic)}${t.evidence.length > 0 ? ` (${t.evidence.slice(0, 2).join(', ')})` : ''}`);
  const text = `${paper.title} ${paper.abstract}`.toLowerCase();
  for (const keyword of subscription.keywords) {
    const plain = keyword.replace(/["-]/g, ' ').trim().toLowerCase();
    if (plain && text.includes(plain.split(/\s+/)[0])) {
      reasons.push(`keyword "${keyword}"`);
    }
  }
  return {
    title: paper.title,
    url: paper.url ?? (paper.arxivId ? `https://arxiv.org/abs/${paper.arxivId}` : ''),
    authors: paper.authors,
    upvotes: paper.upvotes,
    abstract: paper.abstract,
    summary: paper.summary,
    codeUrl: paper.codeUrl,
    reasons,
  };
}
