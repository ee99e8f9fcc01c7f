import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Remembers what the sources file said apart from what upstream said since: `configuredUrl` is the file's
 * URL (a 301 moves `url` only), `goneAt` the 410 that disabled the source. Re-reading an unchanged file
 * then keeps both; editing a source's URL in the file starts it afresh (so does a row without one).
 */
export class SourceConfiguredUrl1765000000000 implements MigrationInterface {
  name = 'SourceConfiguredUrl1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sources" ADD "configuredUrl" text`);
    await queryRunner.query(`UPDATE "sources" SET "configuredUrl" = "url"`);
    await queryRunner.query(`ALTER TABLE "sources" ADD "goneAt" timestamptz`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sources" DROP "goneAt"`);
    await queryRunner.query(`ALTER TABLE "sources" DROP "configuredUrl"`);
  }
}
