import { MigrationInterface, QueryRunner } from 'typeorm';

/** The ledger (digest_papers) loses its foreign key to papers: why, and what keeps its guarantee, in docs/adr/0004. */
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
