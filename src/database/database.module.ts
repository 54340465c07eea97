import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, QueryFailedError } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config.js';
import pg from 'pg';
import { DatabaseUnavailableError, openDatabase, redactDatabaseUrl } from './database-connection.js';
import { EmbeddedPostgres } from './embedded-postgres.js';
import { runMigrations } from './migration-runner.js';

const embeddedByDataSource = new WeakMap<DataSource, EmbeddedPostgres>();
const OPENED = Symbol('opened-data-source');

class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await embeddedByDataSource.get(this.dataSource)?.stop();
  }
}

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      // We open the DataSource ourselves (embedded server first, then migrations under a lock)
      // and hand the initialized instance to @nestjs/typeorm through dataSourceFactory.
      useFactory: async (config: AppConfig) => {
        const logger = new Logger('Database');
        const { dataSource, embedded, description } = await openDatabase(config.db);
        if (embedded) embeddedByDataSource.set(dataSource, embedded);
        logger.log(`Using ${description}`);
        if (config.db.skipMigrations) {
          logger.warn('DB_SKIP_MIGRATIONS=true: not running migrations at boot');
        } else {
          const applied = await runMigrations(dataSource).catch(async (err: unknown) => {
            await dataSource.destroy().catch(() => undefined);
            await embedded?.stop();
            // A statement the server refused is the migration's fault; anything else is the connection's.
            throw err instanceof QueryFailedError || err instanceof pg.DatabaseError
              ? err
              : new DatabaseUnavailableError(`${config.db.url ? `DATABASE_URL (${redactDatabaseUrl(config.db.url)})` : description} during migrations`, err);
          });
          if (applied.length > 0) logger.log(`Applied ${applied.length} migration(s): ${applied.map((m) => m.name).join(', ')}`);
        }
        return { ...dataSource.options, [OPENED]: dataSource };
      },
      dataSourceFactory: (options) => {
        const opened = options && OPENED in options ? options[OPENED] : undefined;
        if (!(opened instanceof DataSource)) throw new Error('The opened DataSource did not reach dataSourceFactory');
        return Promise.resolve(opened);
      },
    }),
  ],
  providers: [DatabaseLifecycle],
})
export class DatabaseModule {}
