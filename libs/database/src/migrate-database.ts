import { Client, DatabaseError } from 'pg';
import { DataSource, type MigrationInterface } from 'typeorm';
import { createDataSource, dataSourceOptions } from './data-source';

/** The server's maintenance database, beside the one a URL names. */
function maintenanceUrl(url: string): string {
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  return maintenance.toString();
}

function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}

/** Creates the database named in the URL when it does not exist (a fresh machine), via the maintenance db. */
export async function ensureDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  const client = new Client({ connectionString: maintenanceUrl(url) });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((error: unknown) => {
        // Another migrate run created it meanwhile (42P04, or 23505 when both got past the catalog check).
        if (!(error instanceof DatabaseError && (error.code === '42P04' || error.code === '23505'))) {
          throw error;
        }
      });
    }
  } finally {
    await client.end();
  }
}

/**
 * Where migrate runs of a database take turns: an advisory lock keyed by the database's name, taken in the
 * server's maintenance database. Not in the migrated database: CREATE INDEX CONCURRENTLY waits for every
 * transaction there that holds a snapshot, the lock's own open transaction included, and would wait forever.
 */
export function migrationLock(url: string): { url: string; key: string } {
  return { url: maintenanceUrl(url), key: `paperboy:migrate:${databaseName(url)}` };
}

/**
 * Applies pending migrations; returns the names applied. Runs hold an advisory lock, so two at once
 * (two deploys, replicas migrating at boot) take turns and the second finds nothing left to apply. The
 * lock is transaction-scoped on a connection of its own, held open until the migrations are done: a
 * session lock would be orphaned if the URL went through a transaction-mode pooler. See migrationLock for
 * where it is taken.
 *
 * Each migration runs in a transaction of its own, unless it says `transaction = false`: one that creates
 * an index CONCURRENTLY, which Postgres refuses inside a transaction (docs/operations.md, "Upgrades without
 * downtime"). A failed migration rolls back alone; the ones before it stay applied.
 */
export async function migrateDatabase(
  url: string,
  options: {
    onWait?: () => void;
    /** What to apply instead of the project's MIGRATIONS (tests add a migration of their own). */
    migrations?: (new () => MigrationInterface)[];
  } = {},
): Promise<string[]> {
  await ensureDatabase(url);
  const where = migrationLock(url);
  const lock = new Client({ connectionString: where.url, application_name: 'paperboy-migrate-lock' });
  await lock.connect();
  try {
    await lock.query('BEGIN');
    const { rows } = await lock.query<{ taken: boolean }>(
      'SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS "taken"',
      [where.key],
    );
    if (!rows[0].taken) {
      options.onWait?.();
      await lock.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [where.key]);
    }
    const dataSource =
      options.migrations === undefined
        ? createDataSource(url)
        : new DataSource({ ...dataSourceOptions(url), migrations: options.migrations });
    await dataSource.initialize();
    try {
      // 'all' would refuse a migration that opts out of its transaction (ForbiddenTransactionModeOverrideError).
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((migration) => migration.name);
    } finally {
      await dataSource.destroy();
    }
  } finally {
    // Ending the connection ends its transaction and the lock with it.
    await lock.end();
  }
}
