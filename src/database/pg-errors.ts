import { QueryFailedError } from 'typeorm';

/** What the pg driver says about a failed statement (SQLSTATE and, for constraint violations, which one). */
export interface PgDriverError {
  code?: string;
  constraint?: string;
}

/** The driver's error behind a failed query, or undefined for anything that is not one. */
export function pgErrorOf(err: unknown): PgDriverError | undefined {
  if (!(err instanceof QueryFailedError)) return undefined;
  const driverError: unknown = err.driverError;
  if (!driverError || typeof driverError !== 'object') return undefined;
  const { code, constraint }: { code?: unknown; constraint?: unknown } = driverError;
  return { code: typeof code === 'string' ? code : undefined, constraint: typeof constraint === 'string' ? constraint : undefined };
}

/** A unique violation (SQLSTATE 23505), of `constraint` when given. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const driver = pgErrorOf(err);
  return driver?.code === '23505' && (constraint === undefined || driver.constraint === constraint);
}

/** A foreign-key violation (SQLSTATE 23503). */
export function isForeignKeyViolation(err: unknown): boolean {
  return pgErrorOf(err)?.code === '23503';
}
