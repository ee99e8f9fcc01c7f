import { MigrationInterface, QueryRunner } from 'typeorm';

/** Listings and topics lose their foreign keys to papers: why, and what keeps their guarantee, in docs/adr/0004. */
export class ClassifierLinksWithoutPaperForeignKeys1765200000000 implements MigrationInterface {
  name = 'ClassifierLinksWithoutPaperForeignKeys1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "listings" DROP CONSTRAINT "listings_paperId_fkey"`);
    await queryRunner.query(`ALTER TABLE "paper_topics" DROP CONSTRAINT "paper_topics_paperId_fkey"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DELETE FROM "paper_topics" t WHERE NOT EXISTS (SELECT 1 FROM "papers" p WHERE p."id" = t."paperId")`,
    );
    await queryRunner.query(
      `UPDATE "listings" l SET "paperId" = NULL WHERE NOT EXISTS (SELECT 1 FROM "papers" p WHERE p."id" = l."paperId")`,
    );
    await queryRunner.query(
      `ALTER TABLE "paper_topics" ADD CONSTRAINT "paper_topics_paperId_fkey" FOREIGN KEY ("paperId") REFERENCES "papers"("id") ON DELETE CASCADE`,
    );
    await queryRunner.query(
      `ALTER TABLE "listings" ADD CONSTRAINT "listings_paperId_fkey" FOREIGN KEY ("paperId") REFERENCES "papers"("id") ON DELETE SET NULL`,
    );
  }
}
