import { Client, DatabaseError } from 'pg';
import { createDataSource } from './data-source';

/** Creates the database named in the URL when it does not exist (a fresh machine), via the maintenance db. */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const client = new Client({ connectionString: maintenance.toString() });
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

const MIGRATION_LOCK = 'paperboy:migrate';

/**
 * Applies pending migrations; returns the names applied. Runs hold an advisory lock, so two at once
 * (two deploys, replicas migrating at boot) take turns and the second finds nothing left to apply. The
 * lock is transaction-scoped on a connection of its own, held open until the migrations are done: a
 * session lock would be orphaned if the URL went through a transaction-mode pooler.
 */
export async function migrateDatabase(url: string, options: { onWait?: () => void } = {}): Promise<string[]> {
  await ensureDatabase(url);
  const lock = new Client({ connectionString: url, application_name: 'paperboy-migrate-lock' });
  await lock.connect();
  try {
    await lock.query('BEGIN');
    const { rows } = await lock.query<{ taken: boolean }>(
      'SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS "taken"',
      [MIGRATION_LOCK],
    );
    if (!rows[0].taken) {
      options.onWait?.();
      await lock.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [MIGRATION_LOCK]);
    }
    const dataSource = createDataSource(url);
    await dataSource.initialize();
    try {
      const applied = await dataSource.runMigrations({ transaction: 'all' });
      return applied.map((migration) => migration.name);
    } finally {
      await dataSource.destroy();
    }
  } finally {
    // Ending the connection ends its transaction and the lock with it.
    await lock.end();
  }
}
