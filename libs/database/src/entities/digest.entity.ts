import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * pending: claimed, not built yet; empty: nothing to send; ready: built, deliveries under way;
 * merged: a missed period claimed with the current one, whose digest carries its papers.
 */
export type DigestStatus = 'pending' | 'empty' | 'ready' | 'sent' | 'failed' | 'merged';

/** The digest of one subscription for one period; the unique key makes "at most one per period" a fact. */
@Entity('digests')
@Unique(['subscriptionId', 'periodKey'])
export class DigestEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid')
  subscriptionId!: string;

  @Column('text')
  periodKey!: string;

  @Column('timestamptz')
  dueAt!: Date;

  /** The tick's clock when the digest was claimed: its build picks papers as of then, even when re-run. */
  @Column('timestamptz')
  plannedFor!: Date;

  @Column('text')
  status!: DigestStatus;

  @Column('int', { default: 0 })
  paperCount!: number;

  /** Matching papers left out by the cap. */
  @Column('int', { default: 0 })
  omittedCount!: number;

  /**
   * The first of them (up to LEFT_OUT_LISTED), in digest order, for the web view only: not delivered, so
   * still candidates for later digests. Null for digests built before they were recorded.
   */
  @Column('uuid', { array: true, nullable: true })
  leftOutPaperIds!: string[] | null;

  @Column('timestamptz', { nullable: true })
  builtAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
