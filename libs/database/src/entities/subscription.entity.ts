import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Frequency } from '@libs/domain';

export type SubscriptionStatus = 'pending' | 'active' | 'unsubscribed';

@Entity('subscriptions')
export class SubscriptionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index()
  @Column('text', { nullable: true })
  email!: string | null;

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

  /** When the subscription became active; periods due before it are not sent. */
  @Column('timestamptz', { nullable: true })
  activatedAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  unsubscribedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
