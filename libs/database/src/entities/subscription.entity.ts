import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Frequency } from '@libs/domain';

export type RankingMode = 'for-you' | 'upvotes' | 'newest';

export type SubscriptionStatus = 'pending' | 'active' | 'unsubscribed';

@Entity('subscriptions')
export class SubscriptionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index()
  @Column('text', { nullable: true })
  email!: string | null;

  /**
   * A new address the subscriber asked for, awaiting the click in its confirmation email; `email` (the
   * confirmed one) keeps receiving the digests until then.
   */
  @Column('text', { nullable: true })
  pendingEmail!: string | null;

  /** When the new address's own link was clicked; the change is made once the current address approved too. */
  @Column('timestamptz', { nullable: true })
  pendingEmailConfirmedAt!: Date | null;

  /** When the current address approved the change to `pendingEmail` (its link in the approval email). */
  @Column('timestamptz', { nullable: true })
  pendingEmailApprovedAt!: Date | null;

  /** Signed into manage, feed and digest-view links: raising it revokes every earlier one (unsubscribe links stay). */
  @Column('int', { default: 0 })
  linkVersion!: number;

  /** Encrypted at rest (see libs/domain secret-box); the plain URL is a credential. */
  @Column('text', { nullable: true })
  slackWebhookUrl!: string | null;

  @Index()
  @Column('text')
  status!: SubscriptionStatus;

  @Column('text', { array: true, default: () => "'{}'" })
  topics!: string[];

  @Column('text', { array: true, default: () => "'{}'" })
  keywords!: string[];

  @Column('text')
  frequency!: Frequency;

  @Column('smallint', { default: 1 })
  weekday!: number;

  @Column('text')
  timezone!: string;

  @Column('smallint')
  sendHour!: number;

  @Column('smallint', { default: 20 })
  maxPapers!: number;

  @Column('text', { array: true, default: () => "'{}'" })
  excludeTopics!: string[];

  @Column('int', { default: 0 })
  minUpvotes!: number;

  /**
   * Consecutive SMTP 5xx answers to this address (an email accepted since resets it); at
   * MAIL_MAX_HARD_BOUNCES the address is suppressed.
   */
  @Column('int', { default: 0 })
  hardBounces!: number;

  @Column('timestamptz', { nullable: true })
  emailSuppressedAt!: Date | null;

  /** Set when Slack said the webhook is gone (404, 410, no_service, channel_is_archived). */
  @Column('timestamptz', { nullable: true })
  slackDisabledAt!: Date | null;

  @Column('text', { nullable: true })
  slackDisabledReason!: string | null;

  /** When the subscription became active; periods due before it are not sent. */
  @Column('timestamptz', { nullable: true })
  activatedAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  unsubscribedAt!: Date | null;

  /** When it last left a pause (set by a trigger): its next digest does not reach back before it. */
  @Column('timestamptz', { nullable: true })
  resumedAt!: Date | null;

  /** When the scheduler tick next looks at it (null: at the next tick); a schedule change resets it. */
  @Column('timestamptz', { nullable: true })
  planAt!: Date | null;

  /** How digests are ranked; null: automatic (upvotes until the first vote or seed, then for-you). */
  @Column('text', { nullable: true })
  ranking!: RankingMode | null;

  /** Author names whose new papers rank first (matched by surname and initial). */
  @Column('text', { array: true, default: () => "'{}'" })
  followedAuthors!: string[];

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
