import { type DataSource, type QueryRunner } from 'typeorm';
import { bool, oneRow } from './sql-row.js';

// Keys for pg_advisory_lock: one constant per singleton job, so instances never collide.
export const ADVISORY_LOCK = {
  migrations: 7_301_001,
  postCallReconciliation: 7_301_002,
  webhookDrift: 7_301_003,
  eventRetention: 7_301_004,
} as const;

// The embedded database belongs to exactly one process (a lock file guarantees it) and is reached
// through a single connection, so holding a Postgres lock on that connection would block the work
// it protects. There, the same exclusion is an in-process one.
const singleProcess = new WeakSet<DataSource>();
const localHolders = new WeakMap<DataSource, Map<number, Promise<unknown>>>();

export function markSingleProcess(dataSource: DataSource): void {
  singleProcess.add(dataSource);
}

export function isSingleProcess(dataSource: DataSource): boolean {
  return singleProcess.has(dataSource);
}

function holdersOf(dataSource: DataSource): Map<number, Promise<unknown>> {
  let holders = localHolders.get(dataSource);
  if (!holders) localHolders.set(dataSource, (holders = new Map<number, Promise<unknown>>()));
  return holders;
}

async function withLocalLock<T>(dataSource: DataSource, key: number, fn: () => Promise<T>): Promise<T> {
  const holders = holdersOf(dataSource);
  const previous = holders.get(key) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(fn);
  holders.set(key, run);
  try {
    return await run;
  } finally {
    if (holders.get(key) === run) holders.delete(key);
  }
}

/**
 * Runs `fn` while holding a session-level advisory lock; other instances wait for it. On `session`
 * (a connected query runner the caller keeps) when given, else on a pooled connection of its own.
 */
export async function withAdvisoryLock<T>(dataSource: DataSource, key: number, fn: () => Promise<T>, session?: QueryRunner): Promise<T> {
  if (singleProcess.has(dataSource)) return withLocalLock(dataSource, key, fn);
  const runner = session ?? dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [key]);
    try {
      return await fn();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [key]);
    }
  } finally {
    if (!session) await runner.release();
  }
}

/** Like withAdvisoryLock, but gives up at once (returns undefined) when another instance holds it. */
export async function tryWithAdvisoryLock<T>(dataSource: DataSource, key: number, fn: () => Promise<T>): Promise<T | undefined> {
  if (singleProcess.has(dataSource)) {
    if (holdersOf(dataSource).has(key)) return undefined;
    return withLocalLock(dataSource, key, fn);
  }
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    const locked = oneRow(await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [key]), (r) => bool(r, 'locked'));
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
