import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';

/**
 * A paper in a digest. Unique per (subscription, paper): the database itself refuses to put
 * a paper in two digests of the same subscription, whatever channel carries them.
 */
@Entity('digest_papers')
@Unique(['subscriptionId', 'paperId'])
export class DigestPaperEntity {
  @PrimaryColumn('uuid')
  digestId!: string;

  @PrimaryColumn('uuid')
  paperId!: string;

  @Column('uuid')
  subscriptionId!: string;

  @Column('int')
  rank!: number;

  /** An explore slot of a for-you digest; null outside for-you digests. */
  @Column('boolean', { nullable: true })
  explore!: boolean | null;

  /** Why the paper is there, in plain words (for-you digests only). */
  @Column('text', { nullable: true })
  why!: string | null;
}
