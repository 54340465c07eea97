import pg from 'pg';

export default async function globalTeardown(): Promise<void> {
  const baseUrl = process.env.SWITCHBOARD_TEST_BASE_DATABASE_URL;
  const dbName = process.env.SWITCHBOARD_TEST_DATABASE_NAME;
  if (!baseUrl || !dbName) return;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
