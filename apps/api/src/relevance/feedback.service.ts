import { Injectable } from '@nestjs/common';
import { Settings } from '@libs/config';
import { JobName, JobProducer } from '@libs/queues';
import { FoundPaper, RelevanceRepository, StoredVote, SubscriptionRepository, VoteRepository } from '@libs/database';
import { Clock, PermanentError } from '@libs/domain';
import { FeedbackDto } from './feedback.dto';
import { opensSubscription } from './manage-token';
import { paperReference } from './paper-reference';

/** A vote as the API answers it; "none" once taken back. */
export type FeedbackAnswer = StoredVote | { paper: StoredVote['paper']; vote: 'none' };

/** A paper reference that cannot name a paper; the controller maps it to 400. */
export class InvalidPaperReferenceError extends PermanentError {}

/** A paper Paperboy does not know; the controller maps it to 404 naming it. */
export class UnknownPaperError extends PermanentError {}

/** Votes through the manage link: the token is the only credential, and it names one subscription. */
@Injectable()
export class FeedbackService {
  constructor(
    private readonly settings: Settings,
    private readonly subscriptions: SubscriptionRepository,
    private readonly votes: VoteRepository,
    private readonly relevance: RelevanceRepository,
    private readonly producer: JobProducer,
    private readonly clock: Clock,
  ) {}

  /** Records (or takes back) a vote; idempotent, the last vote wins. Null when the link is not this subscription's. */
  async vote(
    id: string,
    token: string,
    feedback: FeedbackDto,
    now: Date = this.clock.now(),
  ): Promise<FeedbackAnswer | null> {
    if (!(await this.isManaged(id, token, now))) {
      return null;
    }
    const reference = paperReference(feedback.paper);
    if (!reference) {
      throw new InvalidPaperReferenceError(
        `paper ${JSON.stringify(feedback.paper)} is not an arXiv id, arXiv or Hugging Face URL, DOI or paper id`,
      );
    }
    const paper = await this.relevance.findPaper(reference);
    if (!paper) {
      throw new UnknownPaperError(`Paper ${JSON.stringify(feedback.paper)} is not known to Paperboy`);
    }
    return this.record(id, paper, feedback.vote, feedback.source ?? 'site', now);
  }

  /**
   * Records (or takes back) a vote of a subscription already authorised (by its manage token or a vote link) on a
   * paper Paperboy knows; idempotent, the last vote wins.
   */
  async record(
    id: string,
    paper: Pick<FoundPaper, 'id' | 'arxivId' | 'doi' | 'title'>,
    vote: FeedbackDto['vote'],
    source: NonNullable<FeedbackDto['source']>,
    now: Date = this.clock.now(),
  ): Promise<FeedbackAnswer> {
    if (vote === 'none') {
      await this.votes.remove(id, paper.id);
      await this.producer.enqueue(JobName.RelevanceTrain, { subscriptionId: id });
      return { paper: { id: paper.id, arxivId: paper.arxivId, doi: paper.doi, title: paper.title }, vote: 'none' };
    }
    const stored = await this.votes.record(id, paper.id, vote, source, now);
    // Debounced: a burst of votes trains once, after the last (libs/queues job-options).
    await this.producer.enqueue(JobName.RelevanceTrain, { subscriptionId: id });
    return stored;
  }

  /** The subscription's votes, the latest first; null when the link is not this subscription's. */
  async list(id: string, token: string, now: Date = this.clock.now()): Promise<{ items: StoredVote[] } | null> {
    if (!(await this.isManaged(id, token, now))) {
      return null;
    }
    return { items: await this.votes.list(id) };
  }

  private isManaged(id: string, token: string, now: Date): Promise<boolean> {
    return opensSubscription(this.settings.APP_SECRET, this.subscriptions, id, token, now);
  }
}
