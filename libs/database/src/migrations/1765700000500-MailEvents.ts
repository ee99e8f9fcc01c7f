import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What mail providers told us about our mail (hard bounces, complaints), one row per provider event (expand
 * only: a new table, so processes of the previous release never see it). The unique (provider, eventId)
 * makes a replayed webhook a no-op; the address index serves the admin delivery log.
 */
export class MailEvents1765700000500 implements MigrationInterface {
  name = 'MailEvents1765700000500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE IF NOT EXISTS "mail_events" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "provider" text NOT NULL,
        "eventId" text NOT NULL,
        "kind" text NOT NULL CHECK ("kind" IN ('hard-bounce', 'complaint')),
        "email" text NOT NULL,
        "reason" text NOT NULL,
        "occurredAt" timestamptz,
        "receivedAt" timestamptz NOT NULL,
        "subscriptionsAffected" int NOT NULL DEFAULT 0,
        CONSTRAINT "UQ_mail_events_provider_event" UNIQUE ("provider", "eventId")
      )`,
    );
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "IDX_mail_events_email" ON "mail_events" ("email", "receivedAt")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS "mail_events"`);
  }
}
