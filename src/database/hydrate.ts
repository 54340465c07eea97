import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/** Builds an entity from a raw `RETURNING *` / `SELECT *` row (snake_case columns). */
export function hydrate<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, row: Record<string, unknown>): T {
  const metadata = manager.connection.getMetadata(target);
  // EntityMetadata.create() answers any; it builds an instance of `target`, whose metadata this is.
  const entity = metadata.create() as T;
  for (const column of metadata.columns) {
    if (column.databaseName in row) column.setEntityValue(entity, row[column.databaseName]);
  }
  return entity;
}
