import { MigrationInterface, QueryRunner } from 'typeorm';

/** The instant a digest was planned for, so a rebuild after a lost job picks the same papers. */
export class DigestPlannedFor1764500000000 implements MigrationInterface {
  name = 'DigestPlannedFor1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "digests" ADD "plannedFor" timestamptz NOT NULL DEFAULT now()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "digests" DROP "plannedFor"`);
  }
}
