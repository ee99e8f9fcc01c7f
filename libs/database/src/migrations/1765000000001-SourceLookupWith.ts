import { MigrationInterface, QueryRunner } from 'typeorm';

/** The arxiv-api source that looks up the arXiv ids a source lists (sources file `lookupWith`). */
export class SourceLookupWith1765000000001 implements MigrationInterface {
  name = 'SourceLookupWith1765000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sources" ADD "lookupWith" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sources" DROP "lookupWith"`);
  }
}
