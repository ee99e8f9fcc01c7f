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

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
