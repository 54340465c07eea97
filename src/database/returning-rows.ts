/**
 * The RETURNING rows of a raw query. TypeORM's postgres driver answers UPDATE and DELETE with
 * `[rows, affectedCount]` but INSERT and SELECT with the rows alone. The row type is the caller's
 * assertion (the cast below): new code reads rows with rowsOf()/mapRows() (sql-row.ts) instead.
 */
export function returningRows<T>(result: unknown): T[] {
  const rows: unknown = Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number' ? result[0] : result;
  return rows as T[];
}
