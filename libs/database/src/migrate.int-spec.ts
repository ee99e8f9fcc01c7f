import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { waitFor } from '../../../test/support/processes';
import { RollingUpgradeProbe1799999999999 } from '../../../test/support/rolling-upgrade-migration';
import { ensureDatabase, migrateDatabase, migrationLock } from './migrate-database';
import { MIGRATIONS } from './migrations';

const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROOT = join(__dirname, '../../..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run migrate` from the sources, as its own process. */
function migrate(env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(ROOT, 'libs/database/src/migrate.ts')], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Two migrate runs at once: they take turns on an advisory lock, and the schema is applied once. */
describe('npm run migrate, twice at once', () => {
  const names: string[] = [];
  const urlOf = (name: string): string => {
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    return url.toString();
  };
  const fresh = (): string => {
    const name = `paperboy_test_migrate_${process.pid}_${randomBytes(3).toString('hex')}`;
    names.push(name);
    return name;
  };

  afterAll(async () => {
    const admin = new Client({ connectionString: ADMIN_URL });
    await admin.connect();
    try {
      for (const name of names) {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      }
    } finally {
      await admin.end();
    }
  });

  async function appliedNames(url: string): Promise<string[]> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>(`SELECT name FROM typeorm_migrations ORDER BY id`);
      return rows.map((row) => row.name);
    } finally {
      await client.end();
    }
  }

  it('should wait for the lock in both runs, then apply every migration once, on MIGRATION_DATABASE_URL', async () => {
    const url = urlOf(fresh());
    await ensureDatabase(url);
    // The test holds the migration lock, so both runs are seen waiting on it before either goes on.
    const lock = migrationLock(url);
    const holder = new Client({ connectionString: lock.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [lock.key]);
      // DATABASE_URL names a port nothing listens on: the runs must use MIGRATION_DATABASE_URL.
      const env = { MIGRATION_DATABASE_URL: url, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/unreachable' };
      const runs = Promise.all([migrate(env), migrate(env)]);
      await waitFor(
        'both migrate runs to wait on the lock',
        async () => {
          const { rows } = await holder.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
             WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()
               AND ((l.classid::int8 << 32) | l.objid::int8) = hashtextextended($1, 0)`,
            [lock.key],
          );
          return rows[0].n === 2;
        },
        45_000,
      );
      await holder.query('COMMIT');
      const [first, second] = await runs;
      expect([first.code, second.code, first.stderr + second.stderr]).toEqual([0, 0, '']);
      const outputs = [first.stdout, second.stdout];
      expect(outputs.every((out) => out.includes('Waiting for another migrate run to finish'))).toBe(true);
      expect(outputs.filter((out) => out.includes(`Applied ${MIGRATIONS.length} migration(s)`))).toHaveLength(1);
      expect(outputs.filter((out) => out.includes('is up to date'))).toHaveLength(1);
    } finally {
      await holder.end();
    }
    const applied = await appliedNames(url);
    expect(applied).toHaveLength(MIGRATIONS.length);
    expect(new Set(applied).size).toBe(MIGRATIONS.length);
  }, 90_000);

  it('should create a missing database once when two runs start together', async () => {
    const url = urlOf(fresh());
    const [first, second] = await Promise.all([migrateDatabase(url), migrateDatabase(url)]);
    expect([first.length, second.length].sort((a, b) => a - b)).toEqual([0, MIGRATIONS.length]);
    expect(await appliedNames(url)).toHaveLength(MIGRATIONS.length);
  });

  it('should apply a migration outside a transaction that builds an index CONCURRENTLY, a valid index', async () => {
    const url = urlOf(fresh());
    await migrateDatabase(url);
    // An open transaction elsewhere on the server (the lock's own is one) must not hold the build up.
    const applied = await migrateDatabase(url, { migrations: [...MIGRATIONS, RollingUpgradeProbe1799999999999] });
    expect(applied).toEqual(['RollingUpgradeProbe1799999999999']);
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ valid: boolean }>(
        `SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         WHERE c.relname = 'deliveries_upgrade_probe'`,
      );
      expect(rows).toEqual([{ valid: true }]);
    } finally {
      await client.end();
    }
    expect(await appliedNames(url)).toHaveLength(MIGRATIONS.length + 1);
  });
});
