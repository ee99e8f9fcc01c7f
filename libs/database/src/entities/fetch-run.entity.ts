import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type FetchRunStatus = 'running' | 'succeeded' | 'failed';

/** One fetch of one source: what came back and what was new. */
@Entity('fetch_runs')
@Index(['sourceId', 'startedAt'])
export class FetchRunEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  sourceId!: string;

  @Column('date', { nullable: true })
  listingDate!: string | null;

  @Column('timestamptz')
  startedAt!: Date;

  @Column('timestamptz', { nullable: true })
  finishedAt!: Date | null;

  @Column('text')
  status!: FetchRunStatus;

  @Column('int', { nullable: true })
  httpStatus!: number | null;

  @Column('int', { default: 0 })
  itemsSeen!: number;

  @Column('int', { default: 0 })
  itemsNew!: number;

  @Column('text', { nullable: true })
  error!: string | null;
}
