import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The papers a capped digest left out, so that its web view ("And N more … All of them") can list them.
 *
 * An array on the digest, not rows of the ledger: `digest_papers` stays "what this subscription was sent",
 * read as it is by the "never delivered" probe of every build, the feed and the merge. A left-out paper was
 * only counted in the message, never shown: it is not delivered and stays eligible for a later digest. One
 * array written with the digest's own row costs a build far less than a row and an index entry per paper,
 * and only the web view reads it. Null for digests built before it was recorded (only their count is known).
 */
export class DigestLeftOutPaperIds1765300000000 implements MigrationInterface {
  name = 'DigestLeftOutPaperIds1765300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "digests" ADD COLUMN "leftOutPaperIds" uuid[]`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "digests" DROP COLUMN "leftOutPaperIds"`);
  }
}
