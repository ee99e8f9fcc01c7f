import { MigrationInterface, QueryRunner } from 'typeorm';

/** How many messages of a split delivery (a long Slack digest) were accepted, so a retry resumes there. */
export class DeliveryPartsSent1764700000000 implements MigrationInterface {
  name = 'DeliveryPartsSent1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "deliveries" ADD "partsSent" integer NOT NULL DEFAULT 0`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "deliveries" DROP "partsSent"`);
  }
}
