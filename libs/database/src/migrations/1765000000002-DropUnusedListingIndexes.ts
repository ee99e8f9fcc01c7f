import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * No query looks listings up by arXiv id or DOI (papers carry the identities), and every classify
 * batch rewrites its listings: two indexes fewer to maintain on each of those rewrites.
 */
export class DropUnusedListingIndexes1765000000002 implements MigrationInterface {
  name = 'DropUnusedListingIndexes1765000000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS "listings_arxiv_id"`);
    await queryRunner.query(`DROP INDEX IF EXISTS "listings_doi"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "listings_doi" ON "listings" ("doi")`);
    await queryRunner.query(`CREATE INDEX "listings_arxiv_id" ON "listings" ("arxivId")`);
  }
}
