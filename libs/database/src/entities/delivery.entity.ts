import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';

export type DeliveryChannel = 'email' | 'slack';
export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed';

/** One channel's delivery of one digest: the ledger entry that stops a second send. */
@Entity('deliveries')
@Unique(['digestId', 'channel'])
export class DeliveryEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid')
  digestId!: string;

  @Column('text')
  channel!: DeliveryChannel;

  @Column('text')
  status!: DeliveryStatus;

  /** Requests that reached the provider (a wait for our own per-webhook pacing is not one). */
  @Column('int', { default: 0 })
  attempts!: number;

  /** Of those attempts, the ones Slack answered 429: they do not count against the attempts for failures. */
  @Column('int', { default: 0 })
  rateLimited!: number;

  /** Messages of a split delivery already accepted (a long Slack digest); a retry sends the rest. */
  @Column('int', { default: 0 })
  partsSent!: number;

  @Column('text', { nullable: true })
  lastError!: string | null;

  /** What the provider answered (SMTP response, Slack body). */
  @Column('text', { nullable: true })
  providerResponse!: string | null;

  @Column('timestamptz', { nullable: true })
  sentAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
