import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { ApplyValueTransformers } from 'typeorm/util/ApplyValueTransformers.js';

/** Builds an entity from a raw `RETURNING *` / `SELECT *` row (snake_case columns). */
export function hydrate<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, row: Record<string, unknown>): T {
  const metadata = manager.connection.getMetadata(target);
  // EntityMetadata.create() answers any; it builds an instance of `target`, whose metadata this is.
  const entity = metadata.create() as T;
  for (const column of metadata.columns) {
    if (!(column.databaseName in row)) continue;
    const value = row[column.databaseName];
    // As TypeORM's own loads do: a column's transformer reads the stored value (e.g. calls.metadata).
    column.setEntityValue(entity, column.transformer && value !== null ? ApplyValueTransformers.transformFrom(column.transformer, value) : value);
  }
  return entity;
}
