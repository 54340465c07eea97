import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './data-source.js';

// For TypeORM's own CLI (`npx typeorm migration:generate -d dist/src/database/typeorm-cli.data-source.js
// migrations/Name`) against a real server named by DATABASE_URL. The app itself never imports this.
export default new DataSource(buildDataSourceOptions({ url: process.env.DATABASE_URL, poolSize: 2 }));
