import { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations.js';
import { EmbeddedPostgresEndpoint } from './embedded-postgres.js';

export interface DatabaseTarget {
  url?: string;
  embedded?: EmbeddedPostgresEndpoint;
  poolSize: number;
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
    extra: { max: target.poolSize, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 },
    logging: false,
  };
}
