import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Revocable links and approved address changes (expand only: new columns with defaults, nothing renamed or
 * dropped, so processes of the previous release keep working). `linkVersion` is signed into manage, feed and
 * digest-view links; an address change waits for both the new address (`pendingEmailConfirmedAt`) and the
 * current one (`pendingEmailApprovedAt`).
 */
export class RevocableLinks1765500000000 implements MigrationInterface {
  name = 'RevocableLinks1765500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "subscriptions" ADD "linkVersion" integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE "subscriptions" ADD "pendingEmailConfirmedAt" timestamptz`);
    await queryRunner.query(`ALTER TABLE "subscriptions" ADD "pendingEmailApprovedAt" timestamptz`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "subscriptions" DROP "pendingEmailApprovedAt"`);
    await queryRunner.query(`ALTER TABLE "subscriptions" DROP "pendingEmailConfirmedAt"`);
    await queryRunner.query(`ALTER TABLE "subscriptions" DROP "linkVersion"`);
  }
}
