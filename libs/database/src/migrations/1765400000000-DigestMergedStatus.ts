import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A missed period claimed together with the current one is recorded as `merged`: done, without a build
 * of its own. Expand only: processes of the previous release never write it and ignore it when reading.
 */
export class DigestMergedStatus1765400000000 implements MigrationInterface {
  name = 'DigestMergedStatus1765400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "digests" DROP CONSTRAINT IF EXISTS "digests_status_check"`);
    await queryRunner.query(
      `ALTER TABLE "digests" ADD CONSTRAINT "digests_status_check"
         CHECK ("status" IN ('pending', 'empty', 'ready', 'sent', 'failed', 'merged')) NOT VALID`,
    );
    await queryRunner.query(`ALTER TABLE "digests" VALIDATE CONSTRAINT "digests_status_check"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE "digests" SET "status" = 'empty' WHERE "status" = 'merged'`);
    await queryRunner.query(`ALTER TABLE "digests" DROP CONSTRAINT IF EXISTS "digests_status_check"`);
    await queryRunner.query(
      `ALTER TABLE "digests" ADD CONSTRAINT "digests_status_check"
         CHECK ("status" IN ('pending', 'empty', 'ready', 'sent', 'failed'))`,
    );
  }
}
