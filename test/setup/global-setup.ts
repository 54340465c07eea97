import pg from 'pg';

// With DATABASE_URL (CI): a fresh, empty database on that server for this run; workers inherit
// the rewritten DATABASE_URL, and the first app to boot applies the real migrations (under the
// advisory lock, exactly as in production). Without DATABASE_URL every app boots embedded PGlite.
// (Jest loads this file outside its ESM module mapping, so it imports nothing from src/.)
export default async function globalSetup(): Promise<void> {
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) return;
  const dbName = `switchboard_test_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${dbName}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${dbName}`;
  process.env.SWITCHBOARD_TEST_BASE_DATABASE_URL = baseUrl;
  process.env.SWITCHBOARD_TEST_DATABASE_NAME = dbName;
  process.env.DATABASE_URL = url.toString();
}
