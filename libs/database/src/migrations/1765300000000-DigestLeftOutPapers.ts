import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The papers a capped digest left out, so that its web view ("And N more … All of them") can list them.
 *
 * A table of their own, not rows of the ledger: `digest_papers` stays "what this subscription was sent",
 * read as it is by the "never delivered" probe of every build, the feed and the merge, under its plain
 * unique (subscription, paper) key. A left-out paper was only counted in the message, never shown: it is
 * not delivered, stays eligible for a later digest (and may be left out again, by another digest), and
 * the feed does not list it. Only the paper's key and rank are kept: the web view reads them by digest.
 *
 * No foreign key to papers, as for the ledger (LedgerWithoutPaperForeignKey): a merge moves or deletes the
 * duplicate's rows itself. A build records at most the first 200 left out (LEFT_OUT_LISTED).
 */
export class DigestLeftOutPapers1765300000000 implements MigrationInterface {
  name = 'DigestLeftOutPapers1765300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "digest_left_out" (
        "digestId" uuid NOT NULL REFERENCES "digests" ("id") ON DELETE CASCADE,
        "paperId" uuid NOT NULL,
        "rank" integer NOT NULL,
        PRIMARY KEY ("digestId", "paperId")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "digest_left_out"`);
  }
}
