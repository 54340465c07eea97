import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { buildDataSourceOptions } from './data-source.js';
import { markSingleProcess } from './advisory-lock.js';
import { EmbeddedPostgres } from './embedded-postgres.js';
import { disablePreparedStatements } from './prepared-statement.js';

export interface OpenedDatabase {
  dataSource: DataSource;
  embedded?: EmbeddedPostgres;
  description: string;
}

/** Opens the configured database: PostgreSQL at DATABASE_URL, or embedded PGlite under DATA_DIR. */
export async function openDatabase(db: AppConfig['db']): Promise<OpenedDatabase> {
  if (db.url) {
    const dataSource = await new DataSource(buildDataSourceOptions({ url: db.url, poolSize: db.poolSize })).initialize();
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
    const dataSource = await new DataSource(buildDataSourceOptions({ embedded: endpoint, poolSize: 1 })).initialize();
    markSingleProcess(dataSource);
    disablePreparedStatements(dataSource);
    return { dataSource, embedded, description: `embedded PGlite in ${db.dataDir}` };
  } catch (err) {
    await embedded.stop();
    throw err;
  }
}
