import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { migrateDatabase } from '../../libs/database/src/migrate-database';

const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database of the test's own, dropped afterwards. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `paperboy_test_${label}_${process.pid}_${randomBytes(3).toString('hex')}`;
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  await migrateDatabase(url.toString());
  return {
    url: url.toString(),
    drop: async () => {
      const admin = new Client({ connectionString: ADMIN_URL });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** A BullMQ prefix of the test's own, so parallel or leftover runs never share queues. */
export function testQueuePrefix(label: string): string {
  return `paperboy-test-${label}-${process.pid}-${randomBytes(3).toString('hex')}`;
}
