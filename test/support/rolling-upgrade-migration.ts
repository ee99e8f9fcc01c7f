import { MigrationInterface, QueryRunner } from 'typeorm';

/** The tables the notifier reads and writes while it builds and sends digests. */
export const NOTIFIER_TABLES = ['subscriptions', 'digests', 'digest_papers', 'deliveries', 'papers', 'paper_topics'];

/**
 * Tests only: what a release's expand migration does, run while the previous release's notifier works. A
 * nullable column on every table the notifier touches (old code neither reads nor writes it), and an index
 * on one of them built CONCURRENTLY, outside a transaction, so that writers are never blocked.
 */
export class RollingUpgradeProbe1799999999999 implements MigrationInterface {
  name = 'RollingUpgradeProbe1799999999999';
  transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of NOTIFIER_TABLES) {
      await queryRunner.query(`ALTER TABLE "${table}" ADD COLUMN "upgradeProbe" text`);
    }
    await queryRunner.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS "deliveries_upgrade_probe" ON "deliveries" ("upgradeProbe")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX CONCURRENTLY IF EXISTS "deliveries_upgrade_probe"`);
    for (const table of NOTIFIER_TABLES) {
      await queryRunner.query(`ALTER TABLE "${table}" DROP COLUMN "upgradeProbe"`);
    }
  }
}
