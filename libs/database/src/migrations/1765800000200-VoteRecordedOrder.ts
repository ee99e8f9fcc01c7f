import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The order votes were recorded in, expand-only: "latest first" breaks a tie of two votes recorded at one
 * instant (a clock that ticks coarsely) by it. Added without a value and then given its default, so adding it
 * rewrites nothing; votes from before it keep NULL, and sort after the ones recorded since at their instant.
 */
export class VoteRecordedOrder1765800000200 implements MigrationInterface {
  name = 'VoteRecordedOrder1765800000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SEQUENCE "paper_votes_recorded_order"`);
    await queryRunner.query(`ALTER TABLE "paper_votes" ADD COLUMN "recordedOrder" bigint`);
    await queryRunner.query(
      `ALTER TABLE "paper_votes" ALTER COLUMN "recordedOrder" SET DEFAULT nextval('paper_votes_recorded_order')`,
    );
    await queryRunner.query(`ALTER SEQUENCE "paper_votes_recorded_order" OWNED BY "paper_votes"."recordedOrder"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "paper_votes" DROP COLUMN "recordedOrder"`);
  }
}
