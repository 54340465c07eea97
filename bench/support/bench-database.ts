import { withFreshDatabase } from '../../test/support/fresh-database.js';

/**
 * Runs `fn` with a fresh, empty database on the server named by DATABASE_URL (default: the local
 * trust-auth PostgreSQL), and drops it afterwards whatever happens.
 */
export function withBenchDatabase<T>(prefix: string, fn: (url: string) => Promise<T>): Promise<T> {
  return withFreshDatabase(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', prefix, fn);
}
