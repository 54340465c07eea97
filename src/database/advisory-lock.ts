import { DataSource } from 'typeorm';

// Keys for pg_advisory_lock: one constant per singleton job, so instances never collide.
export const ADVISORY_LOCK = {
  migrations: 7_301_001,
  postCallReconciliation: 7_301_002,
  webhookDrift: 7_301_003,
  eventRetention: 7_301_004,
} as const;

/** Runs `fn` while holding a session-level advisory lock; other instances wait for it. */
export async function withAdvisoryLock<T>(dataSource: DataSource, key: number, fn: () => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [key]);
    try {
      return await fn();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [key]);
    }
  } finally {
    await runner.release();
  }
}

/** Like withAdvisoryLock, but gives up at once (returns undefined) when another instance holds it. */
export async function tryWithAdvisoryLock<T>(dataSource: DataSource, key: number, fn: () => Promise<T>): Promise<T | undefined> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [key]);
    if (!locked) return undefined;
    try {
      return await fn();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [key]);
    }
  } finally {
    await runner.release();
  }
}
