import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Seed papers Paperboy did not know yet (issue 14), expand-only: one row per subscription and arXiv id,
 * asked of an arxiv-api source; the classifier turns a row into a seed up-vote once the paper exists, and
 * drops rows nobody found within a week. Removed with the subscription row (cascade).
 */
export class PendingSeeds1765700000300 implements MigrationInterface {
  name = 'PendingSeeds1765700000300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "pending_seeds" (
        "subscriptionId" uuid NOT NULL REFERENCES "subscriptions" ("id") ON DELETE CASCADE,
        "arxivId" text NOT NULL,
        "requestedAt" timestamptz NOT NULL,
        PRIMARY KEY ("subscriptionId", "arxivId")
      )`);
    await queryRunner.query(`CREATE INDEX "pending_seeds_arxiv_id" ON "pending_seeds" ("arxivId")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "pending_seeds"`);
  }
}
