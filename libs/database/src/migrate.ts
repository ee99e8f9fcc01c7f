import 'reflect-metadata';
import { loadSettings } from '@libs/config';
import { migrateDatabase } from './migrate-database';

/** `npm run migrate`: creates the database if it is missing, then applies pending migrations. */
async function main(): Promise<void> {
  const settings = loadSettings();
  // Directly, not through a transaction-mode pooler: see "Behind PgBouncer" in docs/operations.md.
  const url = settings.MIGRATION_DATABASE_URL ?? settings.DATABASE_URL;
  const applied = await migrateDatabase(url, {
    onWait: () => console.log('Waiting for another migrate run to finish…'),
    onNotice: (message) => console.log(message),
  });
  const target = new URL(url);
  console.log(
    applied.length > 0
      ? `Applied ${applied.length} migration(s) to ${target.host}${target.pathname}: ${applied.join(', ')}`
      : `Database ${target.host}${target.pathname} is up to date.`,
  );
}

main().catch((error: unknown) => {
  console.error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
