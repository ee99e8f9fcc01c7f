import { MigrationInterface, QueryRunner } from 'typeorm';

/** DOIs and title keys for identity across sources; per-source validators, cursor and health. */
export class IdentifiersAndSourceState1764400000000 implements MigrationInterface {
  name = 'IdentifiersAndSourceState1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "listings" ADD "doi" text, ADD "announceType" text`);
    await queryRunner.query(`CREATE INDEX "listings_doi" ON "listings" ("doi")`);
    await queryRunner.query(`ALTER TABLE "papers" ADD "doi" text, ADD "titleKey" text`);
    await queryRunner.query(`CREATE UNIQUE INDEX "papers_doi" ON "papers" ("doi")`);
    await queryRunner.query(`CREATE INDEX "papers_title_key" ON "papers" ("titleKey")`);
    await queryRunner.query(`
      ALTER TABLE "sources"
        ADD "etag" text,
        ADD "lastModified" text,
        ADD "cursorDate" date,
        ADD "health" text NOT NULL DEFAULT 'healthy' CHECK ("health" IN ('healthy', 'degraded', 'failing')),
        ADD "healthReason" text,
        ADD "healthChangedAt" timestamptz,
        ADD "consecutiveFailures" integer NOT NULL DEFAULT 0`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "sources" DROP "etag", DROP "lastModified", DROP "cursorDate", DROP "health",
        DROP "healthReason", DROP "healthChangedAt", DROP "consecutiveFailures"`);
    await queryRunner.query(`DROP INDEX "papers_title_key"`);
    await queryRunner.query(`DROP INDEX "papers_doi"`);
    await queryRunner.query(`ALTER TABLE "papers" DROP "doi", DROP "titleKey"`);
    await queryRunner.query(`DROP INDEX "listings_doi"`);
    await queryRunner.query(`ALTER TABLE "listings" DROP "doi", DROP "announceType"`);
  }
}
