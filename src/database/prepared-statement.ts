import pg, { type Pool, type PoolClient, type QueryConfig } from 'pg';
import { type DataSource, type EntityManager, type EntityTarget, type ObjectLiteral, QueryFailedError } from 'typeorm';

// The webhook hot paths (status callbacks, the incoming call, realtime events) run the same few
// statements thousands of times a second. Sent unnamed, as TypeORM sends everything, PostgreSQL
// parses and plans each one every time; for the status callback's CTE that is most of its cost
// (bench/twilio-webhooks: ~1.7x the statements per second once named). A named statement is parsed
// once per pooled connection and then only bound and executed.
//
// Two rules keep a prepared statement valid across a rolling deploy:
// - Result columns are listed, never `*` or `RETURNING *`: a migration that adds a column would
//   change a prepared `*` statement's result type, and PostgreSQL then fails every execution on
//   that connection ("cached plan must not change result type"). `columnsOf()` lists an entity's.
// - The name says what the text is; change the name when the text changes (a suffix `_v2`), since
//   a connection keeps the statement it prepared under that name.
//
// Connection poolers: PgBouncer in transaction mode carries named statements from 1.21 on with
// `max_prepared_statements` > 0; with an older or unconfigured one set DB_PREPARED_STATEMENTS=false
// and these statements go unnamed, like every other.

export interface PreparedStatement {
  /** Unique per text, at most 63 bytes. */
  readonly name: string;
  readonly text: string;
}

export function preparedStatement(name: string, text: string): PreparedStatement {
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) throw new Error(`Prepared statement name "${name}" must be snake_case, at most 63 characters`);
  return { name, text };
}

const unnamedOnly = new WeakSet<DataSource>();

/**
 * Sends this data source's prepared statements unnamed: DB_PREPARED_STATEMENTS=false, and the
 * embedded database, whose socket server shares one PostgreSQL session among its connections (a
 * reconnecting client would find its names already taken).
 */
export function disablePreparedStatements(dataSource: DataSource): void {
  unnamedOnly.add(dataSource);
}

interface QueryRunnerWithConnection {
  connect(): Promise<PoolClient>;
}

/** A row as pg gives it; read it with a row mapper (sql-row.ts). */
type Row = Record<string, unknown>;

/**
 * Runs a prepared statement on `manager`'s connection (the transaction's, when `manager` belongs to
 * one; else any pooled connection) and returns its rows, untyped: read them with a row mapper
 * (`mapRows(await queryPrepared(...), toX)`, sql-row.ts). Errors are TypeORM's `QueryFailedError`,
 * as from `manager.query`, so the exception filter maps them the same way.
 */
export async function queryPrepared(manager: EntityManager, statement: PreparedStatement, values: unknown[]): Promise<Row[]> {
  const config = unnamedOnly.has(manager.connection) ? { text: statement.text, values } : { name: statement.name, text: statement.text, values };
  try {
    if (manager.queryRunner) {
      // TypeORM types connect() as Promise<any>; the postgres driver's runner resolves to its pg client.
      const client = await (manager.queryRunner as unknown as QueryRunnerWithConnection).connect();
      return (await client.query<Row>(config)).rows;
    }
    // The postgres driver's pool (`master`) is not on TypeORM's Driver interface.
    return await queryPooled((manager.connection.driver as unknown as { master: Pool }).master, config);
  } catch (err) {
    if (err instanceof Error && 'code' in err) throw new QueryFailedError(statement.text, values, err);
    throw err;
  }
}

/**
 * `pool.query` closes the connection after ANY failed statement, so a duplicate key costs a
 * reconnect and the connection's prepared statements. A statement the server refused (an
 * ErrorResponse, `DatabaseError`) leaves the connection ready for the next one: keep it. Anything
 * else (a broken socket, a client-side timeout) still discards it.
 */
async function queryPooled(pool: Pool, config: QueryConfig): Promise<Row[]> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // Checked out, a client has lost the pool's 'error' listener: a reset socket must fail this
  // statement, never reach the process as an unhandled 'error' event (GuardedClient also has one).
  const onError = (err: Error) => (broken ??= err);
  client.on('error', onError);
  try {
    return (await client.query<Row>(config)).rows;
  } catch (err) {
    if (!(err instanceof pg.DatabaseError)) broken ??= err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/** An entity's column names, comma-separated, for a statement's SELECT or RETURNING list. */
export function columnsOf<T extends ObjectLiteral>(dataSource: DataSource, target: EntityTarget<T>, alias?: string): string {
  return dataSource
    .getMetadata(target)
    .columns.map((c) => (alias ? `${alias}.${c.databaseName}` : c.databaseName))
    .join(', ');
}
