import { returningRows } from './returning-rows.js';

// Typed row mappers for raw SQL. `manager.query()` answers `any`; rather than asserting a shape
// (`row.status as CallStatus`), a query names one mapper that reads each column it needs with the
// readers below, so a column that comes back other than the code expects (a renamed column, a
// bigint count sent as text, a status the code does not know) fails loudly at that column instead of
// travelling on as the wrong type. The readers accept what both drivers send: node-postgres and the
// embedded PGlite (which gives timestamps as Date and numeric/bigint as strings, like pg).
//
//   const toActive = (r: SqlRow) => ({ id: text(r, 'id'), status: oneOf(r, 'status', CALL_STATUSES) });
//   const calls = mapRows(await manager.query(SQL, params), toActive);

/** One row as the driver gives it: column name → value. */
export type SqlRow = Readonly<Record<string, unknown>>;

/** A row did not have the shape its mapper reads: a bug in the query or a schema drift, never bad input. */
export class RowShapeError extends Error {
  constructor(column: string, expected: string, value: unknown) {
    super(`Column "${column}" is ${value === null ? 'null' : typeof value}, expected ${expected}`);
    this.name = 'RowShapeError';
  }
}

function isRow(value: unknown): value is SqlRow {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The rows of a raw query's result (SELECT, INSERT/UPDATE/DELETE … RETURNING). */
export function rowsOf(result: unknown): SqlRow[] {
  const rows = returningRows<unknown>(result);
  if (!Array.isArray(rows)) throw new RowShapeError('(result)', 'an array of rows', rows);
  if (!rows.every(isRow))
    throw new RowShapeError(
      '(row)',
      'an object',
      rows.find((r) => !isRow(r)),
    );
  return rows;
}

/** Every row of `result`, each read by `map`. */
export function mapRows<T>(result: unknown, map: (row: SqlRow) => T): T[] {
  return rowsOf(result).map(map);
}

/** The first row of `result` read by `map`, or null when there is none. */
export function firstRow<T>(result: unknown, map: (row: SqlRow) => T): T | null {
  const [row] = rowsOf(result);
  return row === undefined ? null : map(row);
}

/** The row of a result that always has one (an aggregate, a single-row INSERT … RETURNING), read by `map`. */
export function oneRow<T>(result: unknown, map: (row: SqlRow) => T): T {
  const [row] = rowsOf(result);
  if (row === undefined) throw new RowShapeError('(result)', 'one row', row);
  return map(row);
}

export function text(row: SqlRow, column: string): string {
  const v = row[column];
  if (typeof v !== 'string') throw new RowShapeError(column, 'text', v);
  return v;
}

export function textOrNull(row: SqlRow, column: string): string | null {
  const v = row[column];
  return v === null || v === undefined ? null : text(row, column);
}

/** An integer column; bigint and `count(*)` come as text from both drivers. */
export function int(row: SqlRow, column: string): number {
  const v = row[column];
  const n = typeof v === 'string' && v !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new RowShapeError(column, 'an integer', v);
  return n;
}

export function intOrNull(row: SqlRow, column: string): number | null {
  const v = row[column];
  return v === null || v === undefined ? null : int(row, column);
}

/** A numeric/real column (numeric comes as text). */
export function num(row: SqlRow, column: string): number {
  const v = row[column];
  const n = typeof v === 'string' && v !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new RowShapeError(column, 'a number', v);
  return n;
}

export function numOrNull(row: SqlRow, column: string): number | null {
  const v = row[column];
  return v === null || v === undefined ? null : num(row, column);
}

export function bool(row: SqlRow, column: string): boolean {
  const v = row[column];
  if (typeof v !== 'boolean') throw new RowShapeError(column, 'a boolean', v);
  return v;
}

/** A timestamp column: a Date from the driver, or its ISO text where a query casts it. */
export function date(row: SqlRow, column: string): Date {
  const v = row[column];
  const d = typeof v === 'string' ? new Date(v) : v;
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new RowShapeError(column, 'a timestamp', v);
  return d;
}

export function dateOrNull(row: SqlRow, column: string): Date | null {
  const v = row[column];
  return v === null || v === undefined ? null : date(row, column);
}

function isOneOf<T extends string>(values: readonly T[], v: unknown): v is T {
  return typeof v === 'string' && values.some((value) => value === v);
}

/** A text column holding one of `values` (an enum kept as varchar). */
export function oneOf<T extends string>(row: SqlRow, column: string, values: readonly T[]): T {
  const v = row[column];
  if (!isOneOf(values, v)) throw new RowShapeError(column, `one of ${values.join(', ')}`, v);
  return v;
}

export function oneOfOrNull<T extends string>(row: SqlRow, column: string, values: readonly T[]): T | null {
  const v = row[column];
  return v === null || v === undefined ? null : oneOf(row, column, values);
}

/** A json/jsonb column holding an object (null when the column is null). */
export function jsonObjectOrNull(row: SqlRow, column: string): Record<string, unknown> | null {
  const v = row[column];
  if (v === null || v === undefined) return null;
  if (!isRow(v)) throw new RowShapeError(column, 'a JSON object', v);
  return v;
}
