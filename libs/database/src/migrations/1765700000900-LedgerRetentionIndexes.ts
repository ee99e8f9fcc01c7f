import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The retention job's way to the oldest digests (RETENTION_DAYS, docs/operations.md "The ledger over
 * years"): an index on when each was planned for. Built CONCURRENTLY, outside a transaction, so the
 * notifiers keep writing digests meanwhile (the rule in "Upgrades without downtime"). Fetch runs are
 * reached per source through their existing (sourceId, startedAt) index.
 */
export class LedgerRetentionIndexes1765700000900 implements MigrationInterface {
  name = 'LedgerRetentionIndexes1765700000900';
  transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS "digests_planned_for" ON "digests" ("plannedFor")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX CONCURRENTLY IF EXISTS "digests_planned_for"`);
  }
}
