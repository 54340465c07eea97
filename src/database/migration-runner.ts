import { DataSource, Migration } from 'typeorm';
import { ADVISORY_LOCK, withAdvisoryLock } from './advisory-lock.js';

/**
 * Applies pending migrations while holding a Postgres advisory lock, so several instances
 * booting against one empty database do not race: the first migrates, the others wait and then
 * find nothing to do.
 */
export async function runMigrations(dataSource: DataSource): Promise<Migration[]> {
  return withAdvisoryLock(dataSource, ADVISORY_LOCK.migrations, () => dataSource.runMigrations({ transaction: 'each' }));
}

export async function revertLastMigration(dataSource: DataSource): Promise<void> {
  await withAdvisoryLock(dataSource, ADVISORY_LOCK.migrations, () => dataSource.undoLastMigration({ transaction: 'each' }));
}
