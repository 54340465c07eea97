import { type DataSource, type Migration, MigrationExecutor, type QueryRunner } from 'typeorm';
import { ADVISORY_LOCK, isSingleProcess, withAdvisoryLock } from './advisory-lock.js';
import { GuardedClient } from './connection-guard.js';

/**
 * Applies pending migrations while holding a Postgres advisory lock, so several instances
 * booting against one empty database do not race: the first migrates, the others wait and then
 * find nothing to do.
 */
export async function runMigrations(dataSource: DataSource): Promise<Migration[]> {
  return withMigrationSession(dataSource, (runner) => migrator(dataSource, runner).executePendingMigrations());
}

export async function revertLastMigration(dataSource: DataSource): Promise<void> {
  await withMigrationSession(dataSource, (runner) => migrator(dataSource, runner).undoLastMigration());
}

function migrator(dataSource: DataSource, runner: QueryRunner): MigrationExecutor {
  const executor = new MigrationExecutor(dataSource, runner);
  executor.transaction = 'each';
  return executor;
}

// Migrations and the wait for another instance's migrations may take minutes: on their one
// connection the statement and read timeouts are lifted (the connect timeout still applies), then
// restored before the connection goes back to the pool. The lock is held on that same connection.
async function withMigrationSession<T>(dataSource: DataSource, fn: (runner: QueryRunner) => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  const connection: unknown = await runner.connect();
  const client = connection instanceof GuardedClient ? connection : undefined;
  const readTimeout = client?.queryTimeout;
  let broken: Error | undefined;
  try {
    client?.setQueryTimeout(undefined);
    if (!isSingleProcess(dataSource)) await runner.query('SET statement_timeout = 0');
    const result = await withAdvisoryLock(dataSource, ADVISORY_LOCK.migrations, () => fn(runner), runner);
    if (!isSingleProcess(dataSource)) await runner.query('RESET statement_timeout');
    return result;
  } catch (err) {
    broken = err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    client?.setQueryTimeout(readTimeout);
    // A failed session may still carry `statement_timeout = 0`: it does not go back to the pool.
    // releasePostgresConnection (release and discard) is private in TypeORM's types: no public way to discard.
    await (broken ? (runner as unknown as { releasePostgresConnection(err: Error): Promise<void> }).releasePostgresConnection(broken) : runner.release());
  }
}
