import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { MIGRATIONS } from '../src/database/migrations.js';
import { withBenchDatabase } from './support/bench-database.js';

// Starts several real service processes at the same moment against one EMPTY PostgreSQL database
// and shows that all of them come up and the migrations ran exactly once (advisory lock).
// Usage: npm run bench:migrations   (DATABASE_URL = the server to use; default local trust auth)

const INSTANCES = Number(process.env.INSTANCES ?? 3);

async function waitReady(port: number, deadline: number): Promise<number> {
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health/ready`);
      if (res.status === 200) return Date.now();
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`instance on port ${port} was not ready in time`);
}

async function main(): Promise<void> {
  await withBenchDatabase('switchboard_migrate', async (url) => {
    const children: ChildProcess[] = [];
    const started = Date.now();
    try {
      const ports = Array.from({ length: INSTANCES }, (_, i) => 41000 + ((process.pid + i * 17) % 9000));
      for (const port of ports) {
        children.push(
          spawn(process.execPath, [join(__dirname, '../src/main.js')], {
            env: {
              ...process.env,
              DATABASE_URL: url,
              PORT: String(port),
              HOST: '127.0.0.1',
              LOG_LEVEL: 'warn',
              LOG_PRETTY: 'false',
              NODE_ENV: 'test',
              ADMIN_API_KEY: 'bench-admin-key-0123456789abcdef',
              ENCRYPTION_KEY: 'ab'.repeat(32),
            },
            stdio: ['ignore', 'ignore', 'inherit'],
          }),
        );
      }
      const readyAt = await Promise.all(ports.map((p) => waitReady(p, Date.now() + 60_000)));
      const db = new pg.Client({ connectionString: url });
      await db.connect();
      const { rows } = await db.query<{ name: string; times: number }>(
        'SELECT name, count(*)::int AS times FROM schema_migrations GROUP BY name ORDER BY name',
      );
      await db.end();
      const once = rows.length === MIGRATIONS.length && rows.every((r) => r.times === 1);
      console.log(`instances started together: ${INSTANCES}`);
      readyAt.forEach((t, i) => console.log(`  instance ${i + 1} (port ${ports[i]}) ready after ${t - started} ms`));
      console.log(`migrations known: ${MIGRATIONS.length}; recorded: ${rows.length}; each applied once: ${once ? 'yes' : 'NO'}`);
      if (!once) process.exitCode = 1;
    } finally {
      for (const child of children) child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
    }
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
