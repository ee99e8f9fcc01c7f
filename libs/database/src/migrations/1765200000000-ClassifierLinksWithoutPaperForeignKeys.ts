import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Listings and topics lose their foreign keys to papers. The classifier writes both for every listing and
 * every new paper, and each key checked every row on its own (a query per row run by Postgres' referential
 * trigger): about 8 % of Postgres' time in bench:classifier.
 *
 * What the keys guaranteed is kept otherwise: the classifier only links a listing to a paper it holds locked
 * or has just inserted in the same transaction, only tags papers of its batch, and a merge, the only place
 * papers are deleted, moves the duplicate's listings to the paper it keeps and deletes the duplicate's
 * topics itself (the keys' SET NULL and CASCADE did that before).
 */
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
