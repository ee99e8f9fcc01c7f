import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** A raw item as one source listed it; several listings can make up one paper. */
@Entity('listings')
@Unique(['sourceId', 'externalId'])
export class ListingEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  sourceId!: string;

  @Column('uuid', { nullable: true })
  fetchRunId!: string | null;

  @Column('text')
  externalId!: string;

  @Column('text', { nullable: true })
  arxivId!: string | null;

  @Column('int', { nullable: true })
  arxivVersion!: number | null;

  @Column('text', { nullable: true })
  doi!: string | null;

  @Column('text', { nullable: true })
  announceType!: string | null;

  @Column('text')
  title!: string;

  @Column('text')
  abstract!: string;

  @Column('text', { array: true, default: () => "'{}'" })
  authors!: string[];

  @Column('timestamptz')
  listedAt!: Date;

  @Column('timestamptz', { nullable: true })
  publishedAt!: Date | null;

  @Column('int', { nullable: true })
  upvotes!: number | null;

  @Column('int', { nullable: true })
  comments!: number | null;

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

  @Index()
  @Column('uuid', { nullable: true })
  paperId!: string | null;

  @Column('timestamptz', { nullable: true })
  classifiedAt!: Date | null;

  /** Why the classifier could not turn this listing into a paper, if it could not. */
  @Column('text', { nullable: true })
  rejectedReason!: string | null;

  @Column('timestamptz', { default: () => 'now()' })
  fetchedAt!: Date;
}
