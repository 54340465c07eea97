import pg from 'pg';

/**
 * Runs `fn` with the URL of a new, empty database on `baseUrl`'s server, dropped afterwards (even
 * with connections still open). For tests and benchmarks that need a schema of their own.
 */
export async function withFreshDatabase<T>(baseUrl: string, prefix: string, fn: (url: string) => Promise<T>): Promise<T> {
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
