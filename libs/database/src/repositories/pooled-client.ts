import { DatabaseError, type PoolClient, type QueryConfig, type QueryResultRow } from 'pg';
import { DataSource, type EntityTarget, type ObjectLiteral } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * A pooled client checked out for `work`. While checked out it has no listener of the pool's: a backend
 * terminated meanwhile (failover, restart, pg_terminate_backend) would emit an unhandled 'error' and
 * end the process. Here it fails the work instead, and the broken client is destroyed, not pooled.
 */
export async function withPooledClient<R>(
  dataSource: DataSource,
  work: (client: PoolClient) => Promise<R>,
): Promise<R> {
  const driver = dataSource.driver as PostgresDriver;
  const [client, release] = (await driver.obtainMasterConnection()) as [PoolClient, (error?: Error) => void];
  let broken: Error | undefined;
  const onError = (error: Error): void => {
    broken = error;
  };
  client.on('error', onError);
  try {
    return await work(client);
  } catch (error) {
    // A statement's own error (a constraint, a conflict) leaves the connection usable; anything else may not.
    if (!(error instanceof DatabaseError)) {
      broken ??= error instanceof Error ? error : new Error(String(error));
    }
    throw error;
  } finally {
    client.off('error', onError);
    release(broken);
  }
}

/**
 * A statement as sent: named (prepared once per connection) or, behind a pooler that cannot keep named
 * statements (PgBouncer before 1.21 in transaction mode: DATABASE_NAMED_STATEMENTS=false), unnamed.
 */
export function statementConfig(
  named: boolean,
  statement: { name: string; text: string; values: unknown[] },
): QueryConfig {
  return named ? statement : { text: statement.text, values: statement.values };
}

/**
 * Runs a named prepared statement on a pooled pg client: Postgres parses and plans it once per connection
 * rather than once per call, and pg sends three protocol messages instead of five. TypeORM's query() cannot
 * name a statement. Names are per connection, so they must be unique across repositories.
 */
export function preparedQuery<T extends QueryResultRow>(
  dataSource: DataSource,
  named: boolean,
  statement: { name: string; text: string; values: unknown[] },
): Promise<T[]> {
  return withPooledClient(dataSource, async (client) => (await client.query<T>(statementConfig(named, statement))).rows);
}

/**
 * An entity's columns named one by one (`alias."column" AS "property"`), for the statements that read whole
 * rows. Never `*`: a named statement prepared with `*` fails with "cached plan must not change result type"
 * once a migration adds a column, which would stop every process of the previous release still running
 * (docs/operations.md, "Upgrades without downtime"). Named, each release reads the columns it knows.
 */
export function entityColumns(dataSource: DataSource, entity: EntityTarget<ObjectLiteral>, alias?: string): string {
  const prefix = alias === undefined ? '' : `${alias}.`;
  return dataSource
    .getMetadata(entity)
    .columns.map((column) => `${prefix}"${column.databaseName}" AS "${column.propertyName}"`)
    .join(', ');
}
