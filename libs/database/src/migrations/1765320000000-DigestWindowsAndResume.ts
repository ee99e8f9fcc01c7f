import { MigrationInterface, QueryRunner } from 'typeorm';

const REPLAN_BODY = (resume: string) => `
      CREATE OR REPLACE FUNCTION "subscriptions_replan"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (NEW."status", NEW."frequency", NEW."timezone", NEW."sendHour", NEW."weekday", NEW."activatedAt")
           IS DISTINCT FROM
           (OLD."status", OLD."frequency", OLD."timezone", OLD."sendHour", OLD."weekday", OLD."activatedAt") THEN
          NEW."planAt" := NULL;
        END IF;${resume}
        RETURN NEW;
      END
      $$`;

/**
 * A digest's window starts where the subscription's previous digest ended: the planner reads a
 * subscription's last digests and the build its previous one, by send time, with one index probe each.
 * A subscription resumed from a pause records when (set by the replan trigger, whatever code path
 * resumed it), so its first digest does not reach back into the pause.
 */
export class DigestWindowsAndResume1765320000000 implements MigrationInterface {
  name = 'DigestWindowsAndResume1765320000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "digests_subscription_due" ON "digests" ("subscriptionId", "dueAt")`);
    await queryRunner.query(`ALTER TABLE "subscriptions" ADD "resumedAt" timestamptz`);
    await queryRunner.query(
      REPLAN_BODY(`
        IF OLD."frequency" = 'paused' AND NEW."frequency" <> 'paused' THEN
          NEW."resumedAt" := now();
        END IF;`),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(REPLAN_BODY(''));
    await queryRunner.query(`ALTER TABLE "subscriptions" DROP "resumedAt"`);
    await queryRunner.query(`DROP INDEX "digests_subscription_due"`);
  }
}
