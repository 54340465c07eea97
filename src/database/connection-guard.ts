import { Logger } from '@nestjs/common';
import pg from 'pg';

// A database that accepts connections but never answers must fail requests, not hold them: every
// pg connection the app opens gets a connect timeout, a client-side read timeout, server-side
// statement and idle-in-transaction timeouts, and an 'error' listener for its whole life. (pg
// removes the pool's listener while a connection is checked out; a socket reset then was an
// unhandled 'error' event, and the process exited. See docs/operations.md "Database timeouts".)

export interface DatabaseTimeouts {
  /** Opening a connection, and waiting for a free one in the pool. */
  connectMs: number;
  /** Server-side statement_timeout; 0 = none. */
  statementMs: number;
  /** Client-side: no answer after this long fails the statement and discards the connection. */
  queryMs: number;
  /** Server-side idle_in_transaction_session_timeout; 0 = none. */
  idleInTransactionMs: number;
}

export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = { connectMs: 2_000, statementMs: 5_000, queryMs: 6_000, idleInTransactionMs: 15_000 };

const QUERY_TIMEOUT_MESSAGE = 'Query read timeout';
const logger = new Logger('Database');

type Callback = (err: Error | null, result?: unknown) => void;

/**
 * pg.Client for every pool (pg.Pool's `Client` option) and for our own dedicated connections.
 * - It always listens for 'error': a reset socket fails the statements in flight (pg rejects them)
 *   and never reaches the process as an unhandled 'error' event.
 * - A statement that timed out client-side leaves its connection waiting for an answer that may
 *   never come (or come late, out of step with the next statement): the socket is destroyed, so
 *   the pool (or TypeORM's query runner) drops the connection and opens a fresh one.
 */
export class GuardedClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', (err: Error) => logger.warn({ err: err.message }, 'PostgreSQL connection lost'));
  }

  /** Lifts the client-side read timeout on this connection (migrations, lock waits), or restores it. */
  setQueryTimeout(ms: number | undefined): void {
    this.pgConnectionParameters().query_timeout = ms;
  }

  get queryTimeout(): number | undefined {
    const ms = this.pgConnectionParameters().query_timeout;
    return typeof ms === 'number' ? ms : undefined;
  }

  // pg reads the read timeout from connectionParameters on every statement; its typings do not declare it.
  private pgConnectionParameters(): { query_timeout?: unknown } {
    const params: unknown = 'connectionParameters' in this ? this.connectionParameters : undefined;
    if (typeof params !== 'object' || params === null) throw new Error('pg.Client has no connectionParameters: the pg version is not one this code knows');
    return params;
  }

  // One override for pg's overloads: the callback form (pg-pool's pool.query) and the promise form
  // (TypeORM, our prepared statements). Submittables (cursors) are passed through untouched.
  // The casts below are the overloads' gap: one implementation forwards arguments of whichever
  // overload was called, so neither the arguments nor the result can be typed more closely.
  override query(...args: unknown[]): never {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      args[args.length - 1] = (err: Error | null, result?: unknown) => {
        if (err) this.discardAfterTimeout(err);
        (last as Callback)(err, result);
      };
      return (super.query as (...a: unknown[]) => never)(...args);
    }
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (result instanceof Promise) {
      return result.catch((err: Error) => {
        this.discardAfterTimeout(err);
        throw err;
      }) as never;
    }
    return result as never;
  }

  private discardAfterTimeout(err: Error): void {
    if (err?.message !== QUERY_TIMEOUT_MESSAGE) return;
    logger.warn('PostgreSQL gave no answer in time: discarding the connection');
    // Synchronously unusable (pg's own flag, which pg-pool checks on release), so the pool cannot
    // hand it out again before the socket's 'close' arrives; then pg fails what is queued on it.
    // _queryable is pg's own flag, which its typings do not declare.
    if ('_queryable' in this) this._queryable = false;
    this.connection?.stream?.destroy();
  }
}

/**
 * The pg.Pool (and pg.Client) options that bound every wait. PGlite's socket server ignores
 * startup parameters and does not enforce statement_timeout (tested: pg_sleep runs to the end),
 * so on the embedded database only the client-side timeouts apply.
 */
export function guardedPoolOptions(timeouts: DatabaseTimeouts, serverSide: boolean): pg.PoolConfig & { Client: typeof GuardedClient } {
  return {
    Client: GuardedClient,
    connectionTimeoutMillis: timeouts.connectMs,
    query_timeout: timeouts.queryMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    ...(serverSide
      ? {
          ...(timeouts.statementMs > 0 ? { statement_timeout: timeouts.statementMs } : {}),
          ...(timeouts.idleInTransactionMs > 0 ? { idle_in_transaction_session_timeout: timeouts.idleInTransactionMs } : {}),
        }
      : {}),
  };
}

/** For pools the app creates: a pool error (an idle connection reset) is logged, never thrown. */
export function logPoolError(err: Error): void {
  logger.warn({ err: err.message }, 'PostgreSQL pool connection lost');
}
