import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why each paper of a for-you digest is there (expand only: nullable columns, so builds of the previous
 * release keep working and older digests keep their rule reasons): `explore` marks an explore slot, `why`
 * is the plain-words sentence a reader sees. Both null outside for-you digests.
 */
export class DigestPaperWhy1765600000200 implements MigrationInterface {
  name = 'DigestPaperWhy1765600000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "digest_papers" ADD "explore" boolean`);
    await queryRunner.query(`ALTER TABLE "digest_papers" ADD "why" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "digest_papers" DROP "why"`);
    await queryRunner.query(`ALTER TABLE "digest_papers" DROP "explore"`);
  }
}
