import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When the scheduler tick next has work for a subscription: the tick reads only the subscriptions whose
 * time has come, instead of every active one every minute. A change to anything that decides the
 * schedule (status, frequency, zone, hour, weekday, activation) resets it to null ("at the next tick")
 * in a trigger, so no code path that edits a subscription can leave a stale time behind.
 */
export class SubscriptionPlanAt1765100000000 implements MigrationInterface {
  name = 'SubscriptionPlanAt1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "subscriptions" ADD "planAt" timestamptz`);
    await queryRunner.query(
      `CREATE INDEX "subscriptions_plan_at" ON "subscriptions" ("planAt") WHERE "status" = 'active'`,
    );
    await queryRunner.query(`
      CREATE FUNCTION "subscriptions_replan"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (NEW."status", NEW."frequency", NEW."timezone", NEW."sendHour", NEW."weekday", NEW."activatedAt")
           IS DISTINCT FROM
           (OLD."status", OLD."frequency", OLD."timezone", OLD."sendHour", OLD."weekday", OLD."activatedAt") THEN
          NEW."planAt" := NULL;
        END IF;
        RETURN NEW;
      END
      $$`);
    await queryRunner.query(
      `CREATE TRIGGER "subscriptions_replan" BEFORE UPDATE ON "subscriptions" FOR EACH ROW EXECUTE FUNCTION "subscriptions_replan"()`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "subscriptions_replan" ON "subscriptions"`);
    await queryRunner.query(`DROP FUNCTION "subscriptions_replan"()`);
    await queryRunner.query(`DROP INDEX "subscriptions_plan_at"`);
    await queryRunner.query(`ALTER TABLE "subscriptions" DROP "planAt"`);
  }
}
