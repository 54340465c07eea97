import { existsSync } from 'node:fs';
import { loadAppConfig } from '../config/app-config.js';
import { withDevSecrets } from '../config/dev-secrets.js';
import { openDatabase } from './database-connection.js';
import { revertLastMigration, runMigrations } from './migration-runner.js';

// `npm run migration:run | migration:revert | migration:show`: same database selection as the app
// (DATABASE_URL, or the embedded database under DATA_DIR), same advisory lock.
async function main(command: string | undefined): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadAppConfig(withDevSecrets(process.env).env);
  const { dataSource, embedded, description } = await openDatabase(config.db);
  try {
    console.log(`Database: ${description}`);
    if (command === 'run') {
      const applied = await runMigrations(dataSource);
      console.log(applied.length ? `Applied: ${applied.map((m) => m.name).join(', ')}` : 'No pending migrations.');
    } else if (command === 'revert') {
      await revertLastMigration(dataSource);
      console.log('Reverted the last migration.');
    } else if (command === 'show') {
      const pending = await dataSource.showMigrations();
      console.log(pending ? 'There are pending migrations.' : 'All migrations are applied.');
    } else {
      throw new Error('usage: migration.cli.js run|revert|show');
    }
  } finally {
    await dataSource.destroy();
    await embedded?.stop();
  }
}

main(process.argv[2]).catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
