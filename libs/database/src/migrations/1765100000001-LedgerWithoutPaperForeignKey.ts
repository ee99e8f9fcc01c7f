import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger (digest_papers) loses its foreign key to papers. Every digest of a fan-out records the same
 * few hundred papers, and the key's check locked each of those rows once per digest: concurrent builds
 * piled shared locks on the same rows, which Postgres keeps as multixacts, and the build statement slowed
 * as a fan-out went on (bench:notifier at 20,000 subscribers: 20–26 ms a build with the key, 15 ms
 * without, and 148 against 165 digests/s).
 *
 * What the key guaranteed is kept otherwise: a build only records papers it has just joined from papers,
 * and a merge, the only place papers are deleted, deletes the duplicate's leftover ledger rows itself. A
 * build racing a merge of one of its papers can leave a row naming the deleted paper: every reader
 * looks its papers up and leaves out one that is gone, so such a row shows nowhere (with the key, the
 * cascade deleted it, to the same effect).
 */
export class LedgerWithoutPaperForeignKey1765100000001 implements MigrationInterface {
  name = 'LedgerWithoutPaperForeignKey1765100000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "digest_papers" DROP CONSTRAINT "digest_papers_paperId_fkey"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DELETE FROM "digest_papers" d WHERE NOT EXISTS (SELECT 1 FROM "papers" p WHERE p."id" = d."paperId")`,
    );
    await queryRunner.query(
      `ALTER TABLE "digest_papers" ADD CONSTRAINT "digest_papers_paperId_fkey" FOREIGN KEY ("paperId") REFERENCES "papers"("id") ON DELETE CASCADE`,
    );
  }
}
