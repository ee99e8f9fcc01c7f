import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A topic tag on a paper, with the evidence shown to subscribers as "why this paper". */
@Entity('paper_topics')
export class PaperTopicEntity {
  @PrimaryColumn('uuid')
  paperId!: string;

  @PrimaryColumn('text')
  topic!: string;

  @Column('real')
  score!: number;

  @Column('text', { array: true, default: () => "'{}'" })
  evidence!: string[];
}
