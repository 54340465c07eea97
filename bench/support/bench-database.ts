import pg from 'pg';

/**
 * Runs `fn` with a fresh, empty database on the server named by DATABASE_URL (default: the local
 * trust-auth PostgreSQL), and drops it afterwards whatever happens.
 */
export async function withBenchDatabase<T>(prefix: string, fn: (url: string) => Promise<T>): Promise<T> {
  const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `${prefix}_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  try {
    return await fn(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}
