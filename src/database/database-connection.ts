import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { buildDataSourceOptions } from './data-source.js';
import { EmbeddedPostgres } from './embedded-postgres.js';

export interface OpenedDatabase {
  dataSource: DataSource;
  embedded?: EmbeddedPostgres;
  description: string;
}

/** Opens the configured database: PostgreSQL at DATABASE_URL, or embedded PGlite under DATA_DIR. */
export async function openDatabase(db: AppConfig['db']): Promise<OpenedDatabase> {
  if (db.url) {
    const dataSource = await new DataSource(buildDataSourceOptions({ url: db.url, poolSize: db.poolSize })).initialize();
    const url = new URL(db.url);
    return { dataSource, description: `PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname}` };
  }
  // pglite-socket multiplexes connections onto one PGlite session; a pool larger than its
  // connection limit gets "Too many connections". Four is enough: transactions serialize anyway.
  const poolSize = Math.min(db.poolSize, 4);
  const embedded = new EmbeddedPostgres(db.dataDir, poolSize);
  const endpoint = await embedded.start();
  try {
    const dataSource = await new DataSource(buildDataSourceOptions({ embedded: endpoint, poolSize })).initialize();
    return { dataSource, embedded, description: `embedded PGlite in ${db.dataDir}` };
  } catch (err) {
    await embedded.stop();
    throw err;
  }
}
