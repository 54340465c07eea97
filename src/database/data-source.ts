import { type DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations.js';
import { type EmbeddedPostgresEndpoint } from './embedded-postgres.js';
import { type DatabaseTimeouts, DEFAULT_DATABASE_TIMEOUTS, guardedPoolOptions, logPoolError } from './connection-guard.js';

export interface DatabaseTarget {
  url?: string;
  embedded?: EmbeddedPostgresEndpoint;
  poolSize: number;
  /** Defaults: DEFAULT_DATABASE_TIMEOUTS (the app passes DB_*_TIMEOUT_MS). */
  timeouts?: DatabaseTimeouts;
}

// One options object for the app, the migration CLI and the tests: never `synchronize`, and
// migrations run explicitly (under an advisory lock) rather than through `migrationsRun`.
export function buildDataSourceOptions(target: DatabaseTarget): DataSourceOptions {
  const connection = target.url
    ? { url: target.url }
    : { host: target.embedded!.host, port: target.embedded!.port, username: 'postgres', password: 'postgres', database: 'postgres' };
  return {
    type: 'postgres',
    ...connection,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false,
    // gen_random_uuid() is core since PostgreSQL 13; PGlite has neither uuid-ossp nor pgcrypto.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    poolSize: target.poolSize,
    // TypeORM hands `extra` to pg.Pool: every wait is bounded (connection-guard.ts).
    extra: { max: target.poolSize, idleTimeoutMillis: 30_000, ...guardedPoolOptions(target.timeouts ?? DEFAULT_DATABASE_TIMEOUTS, !target.embedded) },
    poolErrorHandler: logPoolError,
    logging: false,
  };
}
