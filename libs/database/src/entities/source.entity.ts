import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A source from the sources file, mirrored here so runs and listings can reference it. */
@Entity('sources')
export class SourceEntity {
  @PrimaryColumn('text')
  id!: string;

  @Column('text')
  kind!: string;

  @Column('text')
  url!: string;

  @Column('text')
  schedule!: string;

  @Column('text')
  timezone!: string;

  @Column('boolean', { default: true })
  enabled!: boolean;

  /** Validators of the last successful fetch, for a conditional GET (304: nothing new). */
  @Column('text', { nullable: true })
  etag!: string | null;

  @Column('text', { nullable: true })
  lastModified!: string | null;

  /** The last listing date fetched successfully: the next run catches up from here. */
  @Column('date', { nullable: true })
  cursorDate!: string | null;

  @Column('text', { default: 'healthy' })
  health!: 'healthy' | 'degraded' | 'failing';

  @Column('text', { nullable: true })
  healthReason!: string | null;

  @Column('timestamptz', { nullable: true })
  healthChangedAt!: Date | null;

  @Column('int', { default: 0 })
  consecutiveFailures!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
