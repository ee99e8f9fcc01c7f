import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** pending: claimed, not built yet; empty: nothing to send; ready: built, deliveries under way. */
export type DigestStatus = 'pending' | 'empty' | 'ready' | 'sent' | 'failed';

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

  @Column('timestamptz', { nullable: true })
  builtAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
