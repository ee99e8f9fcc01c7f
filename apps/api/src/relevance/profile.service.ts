import { Injectable } from '@nestjs/common';
import { Settings } from '@libs/config';
import { JobName, JobProducer } from '@libs/queues';
import {
  PendingSeed,
  ProfileRepository,
  ProfileReset,
  RelevanceRepository,
  StoredVote,
  SubscriptionEntity,
  SubscriptionRepository,
  VoteRepository,
} from '@libs/database';
import { Clock, profileTerms, type ProfileTerm, surfaceForms } from '@libs/domain';
import { managedSubscription } from './manage-token';
import { SubscriptionsService } from '../subscriptions/subscriptions.service';

/** Terms shown each way on the profile. */
const PROFILE_TERMS = 12;

const UPDATES_SOON = 'Your digest learns the change within a minute.';

/** A button of the profile page: what it asks (`intent`) and the fields that go with it. */
export interface ProfileEditForm {
  intent: string;
  paper: string;
  direction: string;
  term: string;
  author: string;
}

/** What an edit of the profile page did: the notice to show, or the reset's confirmation step to ask. */
export type ProfileEdit = { notice: string | null; confirmReset: boolean } | 'unknown-intent';

/** What Paperboy learned of a subscriber: what "My profile" shows and the API answers. */
export interface Profile {
  liked: StoredVote[];
  disliked: StoredVote[];
  /** Seed papers asked of arXiv, not fetched yet. */
  pendingSeeds: PendingSeed[];
  followedAuthors: string[];
  /** The terms weighing most for and against, each with the papers whose votes taught it. */
  terms: {
    liked: ProfileTerm[];
    disliked: ProfileTerm[];
    /** When the model these come from was trained; null before the first training. */
    trainedAt: Date | null;
  };
}

/**
 * "My profile": a subscriber's votes, seeds and the terms their model weighs, and its edits (taking back the
 * votes behind a term, resetting it all). The manage token is the only credential.
 */
@Injectable()
export class ProfileService {
  constructor(
    private readonly settings: Settings,
    private readonly subscriptions: SubscriptionRepository,
    private readonly votes: VoteRepository,
    private readonly relevance: RelevanceRepository,
    private readonly profiles: ProfileRepository,
    private readonly producer: JobProducer,
    private readonly clock: Clock,
    private readonly subscriptionsService: SubscriptionsService,
  ) {}

  /** Null when the link is not this subscription's. */
  async profile(id: string, token: string): Promise<Profile | null> {
    const subscription = await this.managed(id, token);
    if (!subscription) {
      return null;
    }
    const votes = await this.votes.list(id);
    const paperIds = votes.map((vote) => vote.paper.id);
    const [features, texts, models, pendingSeeds] = await Promise.all([
      this.relevance.features(paperIds),
      this.relevance.texts(paperIds),
      this.relevance.models([id]),
      this.profiles.pendingSeeds(id),
    ]);
    const forms = new Map<string, string>();
    for (const text of texts) {
      surfaceForms(text).forEach((form, term) => forms.has(term) || forms.set(term, form));
    }
    const model = models.get(id);
    const voted = votes.flatMap((vote) => {
      const counts = features.get(vote.paper.id);
      return counts ? [{ paperId: vote.paper.id, vote: vote.vote, counts }] : [];
    });
    const terms = model ? profileTerms(model, voted, forms, PROFILE_TERMS) : { liked: [], disliked: [] };
    return {
      liked: votes.filter((vote) => vote.vote === 'up'),
      disliked: votes.filter((vote) => vote.vote === 'down'),
      pendingSeeds,
      followedAuthors: subscription.followedAuthors,
      terms: { ...terms, trainedAt: model ? await this.profiles.modelTrainedAt(id) : null },
    };
  }

  /**
   * Takes back votes (a paper of the profile, or every vote behind a term) and trains the model again;
   * answers how many were removed, or null for a bad link.
   */
  async removeVotes(id: string, token: string, paperIds: readonly string[]): Promise<number | null> {
    if (!(await this.managed(id, token))) {
      return null;
    }
    const removed = await this.profiles.removeVotes(id, paperIds);
    await this.producer.enqueue(JobName.RelevanceTrain, { subscriptionId: id });
    return removed;
  }

  /**
   * An edit from the "My profile" page's buttons: take back a vote, the votes behind a term, stop following an
   * author, or reset (asked first, then confirmed). Null for a bad link or a cancelled subscription.
   */
  async edit(id: string, token: string, form: ProfileEditForm, clientIp: string): Promise<ProfileEdit | null> {
    const subscription = await this.managed(id, token);
    if (!subscription || subscription.status === 'unsubscribed') {
      return null;
    }
    const done = (notice: string): ProfileEdit => ({ notice, confirmReset: false });
    switch (form.intent) {
      case 'remove-vote': {
        const voted = (await this.votes.list(id)).some((vote) => vote.paper.id === form.paper);
        const removed = voted ? await this.removeVotes(id, token, [form.paper]) : 0;
        return done(removed ? `Removed. ${UPDATES_SOON}` : 'That paper was already removed.');
      }
      case 'remove-term': {
        const profile = await this.profile(id, token);
        const direction = form.direction === 'disliked' ? 'disliked' : 'liked';
        const papers = profile?.terms[direction].find((entry) => entry.term === form.term)?.paperIds ?? [];
        const removed = await this.removeVotes(id, token, papers);
        return done(
          removed
            ? `Took back ${removed} ${removed === 1 ? 'vote' : 'votes'} behind “${form.term}”. ${UPDATES_SOON}`
            : 'Nothing to remove: that term has no votes behind it any more.',
        );
      }
      case 'remove-author': {
        const followedAuthors = subscription.followedAuthors.filter((name) => name !== form.author);
        await this.subscriptionsService.update(id, token, { followedAuthors }, clientIp);
        return done(`You no longer follow ${form.author}.`);
      }
      case 'reset':
        return { notice: null, confirmReset: true };
      case 'reset-confirmed':
        await this.reset(id, token);
        return done('Your profile was reset: no votes, no seed papers, nothing learned.');
      default:
        return 'unknown-intent';
    }
  }

  /**
   * "Reset my profile": votes, seeds (pending ones too) and the model go; the subscription and its followed
   * authors stay. A training queued before the reset finds nothing liked and removes any model it made.
   */
  async reset(id: string, token: string): Promise<ProfileReset | null> {
    if (!(await this.managed(id, token))) {
      return null;
    }
    const reset = await this.profiles.reset(id);
    await this.producer.enqueue(JobName.RelevanceTrain, { subscriptionId: id });
    return reset;
  }

  /** The subscription of a manage link signed under its current link version, or null. */
  private managed(id: string, token: string): Promise<SubscriptionEntity | null> {
    return managedSubscription(this.settings.APP_SECRET, this.subscriptions, id, token, this.clock.now());
  }
}
