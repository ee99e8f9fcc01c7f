import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A source from the sources file, mirrored here so runs and listings can reference it. */
@Entity('sources')
export class SourceEntity {
  @PrimaryColumn('text')
  id!: string;

  @Column('text')
  kind!: string;

  /** Where the source is fetched: the sources file's URL, or where a permanent redirect led. */
  @Column('text')
  url!: string;

  /** The URL as the sources file gives it; a 301 leaves it alone, an edit of the file resets `url` to it. */
  @Column('text', { nullable: true })
  configuredUrl!: string | null;

  /** When upstream answered 410 Gone: the source stays disabled until its URL changes in the file or an operator enables it. */
  @Column('timestamptz', { nullable: true })
  goneAt!: Date | null;

  @Column('text')
  schedule!: string;

  /** The arxiv-api source that looks up the arXiv ids this source lists, if any. */
  @Column('text', { nullable: true })
  lookupWith!: string | null;

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
