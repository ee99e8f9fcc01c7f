import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Channels edited through the manage link: `pendingEmail` is a new address awaiting its confirmation (the
 * confirmed `email` keeps its digests until then). `rateLimited` counts the attempts of a delivery that
 * Slack answered 429, so waiting out a rate limit does not use up the attempts kept for failures.
 */
export class ChannelEdits1765300000300 implements MigrationInterface {
  name = 'ChannelEdits1765300000300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "subscriptions" ADD "pendingEmail" text`);
    await queryRunner.query(`ALTER TABLE "deliveries" ADD "rateLimited" integer NOT NULL DEFAULT 0`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "deliveries" DROP "rateLimited"`);
    await queryRunner.query(`ALTER TABLE "subscriptions" DROP "pendingEmail"`);
  }
}
