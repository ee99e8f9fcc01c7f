import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A paper a capped digest left out: counted in the message ("And N more"), listed only on the digest's
 * web view. Not part of the ledger (`digest_papers`): the subscription was never shown it, so it stays
 * eligible for a later digest and its feed does not list it. A build records the first `LEFT_OUT_LISTED`.
 */
@Entity('digest_left_out')
export class DigestLeftOutEntity {
  @PrimaryColumn('uuid')
  digestId!: string;

  @PrimaryColumn('uuid')
  paperId!: string;

  /** Its place in the digest's ranking: after the papers shown (the digest's `paperCount` + 1, …). */
  @Column('int')
  rank!: number;
}
