import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** The canonical record of a paper, merged from all its listings. */
@Entity('papers')
export class PaperEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index({ unique: true })
  @Column('text', { nullable: true })
  arxivId!: string | null;

  @Column('int', { nullable: true })
  version!: number | null;

  @Column('text', { nullable: true })
  doi!: string | null;

  /** The title normalised for matching listings that carry no identifier. */
  @Column('text', { nullable: true })
  titleKey!: string | null;

  @Column('text')
  title!: string;

  @Column('text')
  abstract!: string;

  @Column('text', { array: true, default: () => "'{}'" })
  authors!: string[];

  @Column('int', { default: 0 })
  upvotes!: number;

  @Column('text', { array: true, default: () => "'{}'" })
  keywords!: string[];

  @Column('text', { array: true, default: () => "'{}'" })
  categories!: string[];

  @Column('text', { nullable: true })
  summary!: string | null;

  @Column('text', { nullable: true })
  url!: string | null;

  @Column('text', { nullable: true })
  codeUrl!: string | null;

  @Column('text', { nullable: true })
  projectUrl!: string | null;

  /** When a source first listed the paper: the digest lookback window is measured against it. */
  @Index()
  @Column('timestamptz')
  listedAt!: Date;

  @Column('timestamptz', { nullable: true })
  publishedAt!: Date | null;

  /** Set once the paper is classified; only ready papers go into digests and feeds. */
  @Column('timestamptz', { nullable: true })
  readyAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
