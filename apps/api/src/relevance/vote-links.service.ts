import { Injectable } from '@nestjs/common';
import { Settings } from '@libs/config';
import { FoundPaper, RelevanceRepository, SubscriptionRepository } from '@libs/database';
import { Clock, signVoteToken, VoteClaim, verifyVoteToken, voteTokenClaim } from '@libs/domain';
import { FeedbackAnswer, FeedbackService } from './feedback.service';

/** A genuine vote link: what it would record, on which paper. */
export interface VoteLink {
  claim: VoteClaim;
  paper: Pick<FoundPaper, 'id' | 'arxivId' | 'doi' | 'title'>;
  /** The subscription's key version, which the link was signed under. */
  linkVersion: number;
}

/** A vote recorded through a link, with the tokens of what can follow: take it back, or vote again. */
export interface CastVote {
  link: VoteLink;
  answer: FeedbackAnswer;
  tokens: { up: string; down: string; none: string };
}

/**
 * The vote links of digests (email, Slack, feed, web view). Reading a link never records anything (mail
 * scanners and Slack's unfurler fetch every link); casting it does. A link is the only credential: it names
 * one subscription, paper, vote and source, signed under the subscription's key version (revocable).
 */
@Injectable()
export class VoteLinksService {
  constructor(
    private readonly settings: Settings,
    private readonly subscriptions: SubscriptionRepository,
    private readonly relevance: RelevanceRepository,
    private readonly feedback: FeedbackService,
    private readonly clock: Clock,
  ) {}

  /** What the link would record; null when it is not genuine, revoked, or its subscription or paper is gone. */
  async read(token: string, now: Date = this.clock.now()): Promise<VoteLink | null> {
    const claimed = voteTokenClaim(token);
    // The token is signed with the subscription's key version: read it first, then verify.
    const subscription = claimed ? await this.subscriptions.findById(claimed.subscriptionId) : null;
    const linkVersion = subscription?.linkVersion ?? 0;
    const claim = subscription ? verifyVoteToken(this.settings.APP_SECRET, token, now, linkVersion) : null;
    const paper = claim ? await this.relevance.findPaper({ id: claim.paperId }) : null;
    return claim && paper ? { claim, paper, linkVersion } : null;
  }

  /** Records what the link says (idempotent: the last vote wins); null as `read` would be. */
  async cast(token: string, now: Date = this.clock.now()): Promise<CastVote | null> {
    const link = await this.read(token, now);
    if (!link) {
      return null;
    }
    const { claim, paper } = link;
    const answer = await this.feedback.record(claim.subscriptionId, paper, claim.vote, claim.source, now);
    return { link, answer, tokens: this.tokens(link, now) };
  }

  /** The up, down and undo tokens of the same subscription, paper and source, signed now. */
  tokens({ claim, linkVersion }: VoteLink, now: Date = this.clock.now()): CastVote['tokens'] {
    const holder = { id: claim.subscriptionId, linkVersion };
    const sign = (vote: VoteClaim['vote']): string =>
      signVoteToken(this.settings.APP_SECRET, holder, { paperId: claim.paperId, vote, source: claim.source }, now);
    return { up: sign('up'), down: sign('down'), none: sign('none') };
  }
}
