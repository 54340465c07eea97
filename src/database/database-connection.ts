import { DataSource } from 'typeorm';
import { type AppConfig } from '../config/app-config.js';
import { buildDataSourceOptions } from './data-source.js';
import { markSingleProcess } from './advisory-lock.js';
import { EmbeddedPostgres } from './embedded-postgres.js';
import { disablePreparedStatements } from './prepared-statement.js';
import type { DatabaseTimeouts } from './connection-guard.js';
import { textField } from '../common/json/json-object.js';

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * The database could not be opened at boot. The message is safe to print as is: it names
 * DATABASE_URL with the password replaced by ***, and the driver's reason (main.ts prints it once,
 * without a stack).
 */
export class DatabaseUnavailableError extends Error {
  constructor(target: string, cause: unknown) {
    super(`${target}: ${describeCause(cause)}`, { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

/** postgres://user:***@host:port/db: the URL without its password (and without any query string). */
export function redactDatabaseUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    url.search = '';
    url.hash = '';
    return url.toString();
  } catch {
    return 'an unparsable URL';
  }
}

function describeCause(cause: unknown): string {
  const err: { message?: unknown; code?: unknown; errors?: unknown } = typeof cause === 'object' && cause !== null ? cause : {};
  // Node's AggregateError (IPv4 and IPv6 both refused) has an empty message.
  const message =
    text(err.message) ||
    (Array.isArray(err.errors) ? err.errors.map((e: unknown) => textField(e, 'message')).join('; ') : '') ||
    text(err.code) ||
    String(cause);
  return message === 'timeout expired' || message === 'Connection terminated due to connection timeout'
    ? `no answer within the connect timeout (${message})`
    : message;
}

export interface OpenedDatabase {
  dataSource: DataSource;
  embedded?: EmbeddedPostgres;
  description: string;
}

/** Opens the configured database: PostgreSQL at DATABASE_URL, or embedded PGlite under DATA_DIR. */
export async function openDatabase(db: Omit<AppConfig['db'], 'timeouts'> & { timeouts?: DatabaseTimeouts }): Promise<OpenedDatabase> {
  if (db.url) {
    let dataSource: DataSource;
    try {
      // Bounded: the connect timeout, then the read timeout on TypeORM's first statement.
      dataSource = await new DataSource(buildDataSourceOptions({ url: db.url, poolSize: db.poolSize, timeouts: db.timeouts })).initialize();
    } catch (err) {
      throw new DatabaseUnavailableError(`DATABASE_URL (${redactDatabaseUrl(db.url)})`, err);
    }
    if (!db.preparedStatements) disablePreparedStatements(dataSource);
    const url = new URL(db.url);
    return { dataSource, description: `PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname}` };
  }
  // One connection. pglite-socket multiplexes every connection onto PGlite's single session and
  // queues protocol messages one by one, so the Parse/Bind messages of two connections can
  // interleave and overwrite each other's unnamed statement ("bind message supplies 1 parameters,
  // but prepared statement requires 2"). PGlite runs one statement at a time anyway, so one
  // connection costs no throughput. The rule it implies holds everywhere: inside a transaction,
  // use only the transaction's EntityManager.
  const embedded = new EmbeddedPostgres(db.dataDir, 1);
  const endpoint = await embedded.start();
  try {
    const dataSource = await new DataSource(buildDataSourceOptions({ embedded: endpoint, poolSize: 1, timeouts: db.timeouts })).initialize();
    markSingleProcess(dataSource);
    disablePreparedStatements(dataSource);
    return { dataSource, embedded, description: `embedded PGlite in ${db.dataDir}` };
  } catch (err) {
    await embedded.stop();
    throw err;
  }
}
