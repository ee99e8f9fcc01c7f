import { setTimeout as sleep } from 'node:timers/promises';
import { Client, DatabaseError } from 'pg';
import { DataSource, type MigrationInterface } from 'typeorm';
import { createDataSource, dataSourceOptions } from './data-source';

/**
 * The server's maintenance database, where a missing database is created and migrate runs take turns. A managed
 * Postgres may keep it out of reach (another name, no CONNECT for the app's user): see ensureDatabase and
 * migrateDatabase for what happens then.
 */
const MAINTENANCE_DATABASE = 'postgres';

/** The server's maintenance database, beside the one a URL names. */
function maintenanceUrl(url: string, maintenance = MAINTENANCE_DATABASE): string {
  const other = new URL(url);
  other.pathname = `/${encodeURIComponent(maintenance)}`;
  return other.toString();
}

function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}

/** The maintenance database refused this user (missing, no CONNECT, no pg_hba.conf line): not an outage. */
function refusedDatabase(error: unknown): error is DatabaseError {
  return error instanceof DatabaseError && ['3D000', '42501', '28000', '28P01'].includes(error.code ?? '');
}

/**
 * Creates the database named in the URL when it does not exist (a fresh machine), via the maintenance database.
 * One that exists is left alone without touching the maintenance database.
 */
export async function ensureDatabase(url: string, maintenance = MAINTENANCE_DATABASE): Promise<void> {
  const name = databaseName(url);
  const probe = new Client({ connectionString: url });
  try {
    await probe.connect();
    return;
  } catch (error) {
    // 3D000: the database does not exist; anything else (down, wrong password) is for the caller to see.
    if (!(error instanceof DatabaseError && error.code === '3D000')) {
      throw error;
    }
  } finally {
    await probe.end().catch(() => undefined);
  }
  const client = new Client({ connectionString: maintenanceUrl(url, maintenance) });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new Error(
      `The database "${name}" does not exist, and it cannot be created from the maintenance database ` +
        `"${maintenance}" (${error instanceof Error ? error.message : String(error)}): create it ` +
        `(CREATE DATABASE "${name}") and run migrate again`,
      { cause: error },
    );
  }
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
export function migrationLock(url: string, maintenance = MAINTENANCE_DATABASE): { url: string; key: string } {
  return { url: maintenanceUrl(url, maintenance), key: `paperboy:migrate:${databaseName(url)}` };
}

export interface MigrateOptions {
  onWait?: () => void;
  /** Told when the lock falls back to the migrated database (the maintenance one out of reach). */
  onNotice?: (message: string) => void;
  /** What to apply instead of the project's MIGRATIONS (tests add a migration of their own). */
  migrations?: (new () => MigrationInterface)[];
  /** The maintenance database's name ('postgres'); tests name one that is out of reach. */
  maintenanceDatabase?: string;
}

/** How often a run whose lock is in the migrated database asks for it again. */
const LOCK_RETRY_MS = 250;

/**
 * Applies pending migrations, each in its own transaction unless it says `transaction = false` (an index built
 * CONCURRENTLY): a failed one rolls back alone. Returns the names applied. Runs take turns on an advisory lock
 * (takeMigrationLock), so the second finds nothing left to apply. Where the lock is taken and why:
 * docs/operations.md, "Migrate on a direct connection".
 */
export async function migrateDatabase(url: string, options: MigrateOptions = {}): Promise<string[]> {
  await ensureDatabase(url, options.maintenanceDatabase);
  const release = await takeMigrationLock(url, options);
  try {
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
    await release();
  }
}

/** Takes the migrate lock (migrateDatabase says where); resolves to what releases it. */
async function takeMigrationLock(url: string, options: MigrateOptions): Promise<() => Promise<void>> {
  const where = migrationLock(url, options.maintenanceDatabase);
  const lock = new Client({ connectionString: where.url, application_name: 'paperboy-migrate-lock' });
  try {
    await lock.connect();
  } catch (error) {
    await lock.end().catch(() => undefined);
    if (!refusedDatabase(error)) {
      throw error;
    }
    options.onNotice?.(
      `The maintenance database "${options.maintenanceDatabase ?? MAINTENANCE_DATABASE}" is out of reach ` +
        `(${error.message}): migrate runs take turns on a lock in "${databaseName(url)}" itself, which needs a ` +
        'direct connection, not a transaction-mode pooler',
    );
    return takeSessionLock(url, where.key, options.onWait);
  }
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
  } catch (error) {
    await lock.end();
    throw error;
  }
  // Ending the connection ends its transaction and the lock with it.
  return () => lock.end();
}

async function takeSessionLock(url: string, key: string, onWait?: () => void): Promise<() => Promise<void>> {
  const lock = new Client({ connectionString: url, application_name: 'paperboy-migrate-lock' });
  await lock.connect();
  try {
    let waiting = false;
    // Polled (pg has no wait without a snapshot): between tries this session holds no snapshot at all.
    while (!(await lock.query<{ taken: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS "taken"', [key])).rows[0].taken) {
      if (!waiting) {
        waiting = true;
        onWait?.();
      }
      await sleep(LOCK_RETRY_MS);
    }
  } catch (error) {
    await lock.end();
    throw error;
  }
  // Ending the session releases its lock.
  return () => lock.end();
}
