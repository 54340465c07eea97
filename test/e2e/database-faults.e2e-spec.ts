import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/data-source.js';
import { DatabaseUnavailableError } from '../../src/database/database-connection.js';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { preparedStatement, queryPrepared } from '../../src/database/prepared-statement.js';
import { DEFAULT_MESSAGES } from '../../src/modules/twilio-webhooks/domain/call-admission.js';
import { TwilioCallSimulator } from '../simulators/twilio/index.js';
import { createTenant, uniquePhoneNumber } from '../factories/tenant.factory.js';
import { createTestApp, type TestApp } from '../support/app.factory.js';
import { TcpFaultProxy } from '../support/tcp-fault-proxy.js';
import { waitFor } from '../support/wait-for.js';
import { TEST_ENV } from '../setup/test-env.js';

// The app talks to its database through a TCP proxy that can pass, refuse, cut and hang
// (test/support/tcp-fault-proxy.ts). On PostgreSQL (DATABASE_URL) the proxy fronts the run's
// database; without it, an embedded PGlite socket server owned by this suite, which the app then
// reaches as it would a PostgreSQL server (one connection: PGlite has one session).

const PUBLIC = TEST_ENV.PUBLIC_BASE_URL;
const PLATFORM = { accountSid: TEST_ENV.TWILIO_ACCOUNT_SID, authToken: TEST_ENV.TWILIO_AUTH_TOKEN };
const VOICE = '/api/webhooks/twilio/voice';
const READY = '/api/health/ready';
const FALLBACK_TARGET_MS = 3_000;
const DEADLINE_MS = 2_000; // the default TWILIO_WEBHOOK_DEADLINE_MS

interface Upstream {
  url: string;
  host: string;
  port: number;
  onRealPostgres: boolean;
  stop(): Promise<void>;
}

async function startUpstream(): Promise<Upstream> {
  if (process.env.DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    return { url: url.toString(), host: url.hostname, port: Number(url.port || 5432), onRealPostgres: true, stop: async () => undefined };
  }
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-faults-'));
  const embedded = new EmbeddedPostgres(dir, 2);
  const { host, port } = await embedded.start();
  return {
    url: `postgres://postgres:postgres@${host}:${port}/postgres`,
    host,
    port,
    onRealPostgres: false,
    stop: async () => {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const elapsed = (started: number) => Date.now() - started;

describe('Database faults (through a TCP fault proxy)', () => {
  let upstream: Upstream;
  let proxy: TcpFaultProxy;

  beforeAll(async () => {
    upstream = await startUpstream();
    proxy = await TcpFaultProxy.start({ host: upstream.host, port: upstream.port });
  });
  afterAll(async () => {
    await proxy?.stop();
    await upstream?.stop();
  });

  describe('a pooled connection reset while a statement is in flight', () => {
    // Regression: pg removes the pool's 'error' listener while a connection is checked out, so a
    // reset socket was an unhandled 'error' event and the process exited ("Connection terminated
    // unexpectedly ... Emitted 'error' event on Client instance").
    it('should fail the statement, not the process', async () => {
      proxy.setMode('pass');
      const ds = await new DataSource(
        buildDataSourceOptions({
          url: proxy.urlFor(upstream.url),
          poolSize: 2,
          timeouts: { connectMs: 1_000, statementMs: 0, queryMs: 30_000, idleInTransactionMs: 0 },
        }),
      ).initialize();
      const uncaught: Error[] = [];
      const onUncaught = (err: Error) => uncaught.push(err);
      process.on('uncaughtException', onUncaught);
      try {
        // Any code holding a checked-out client (a cursor, a LISTEN, a future repository) is covered
        // by the pool's Client class itself, not only by queryPrepared's own listener.
        const pool = (ds.driver as unknown as { master: { connect(): Promise<{ query(sql: string): Promise<unknown>; release(err?: unknown): void }> } })
          .master;
        const client = await pool.connect();
        proxy.setMode('hang');
        const settle = (p: Promise<unknown>) =>
          p.then(
            () => 'answered',
            (err: Error) => err.message,
          );
        const prepared = settle(queryPrepared(ds.manager, preparedStatement('fault_probe', 'SELECT 1 AS one'), []));
        const checkedOut = settle(client.query('SELECT 2').finally(() => client.release(true)));
        await new Promise((r) => setTimeout(r, 300));
        expect(proxy.cut()).toBeGreaterThan(0);
        expect(await prepared).toMatch(/terminated|ECONNRESET|closed/i);
        expect(await checkedOut).toMatch(/terminated|ECONNRESET|closed/i);
        await new Promise((r) => setTimeout(r, 100));
        expect(uncaught).toEqual([]);
        // The pool replaces the dead connection.
        proxy.setMode('pass');
        expect(await ds.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      } finally {
        process.off('uncaughtException', onUncaught);
        proxy.setMode('pass');
        await ds.destroy();
      }
    });

    it('should discard a connection whose statement got no answer within DB_QUERY_TIMEOUT_MS', async () => {
      proxy.setMode('pass');
      const ds = await new DataSource(
        buildDataSourceOptions({
          url: proxy.urlFor(upstream.url),
          poolSize: 1,
          timeouts: { connectMs: 1_000, statementMs: 0, queryMs: 500, idleInTransactionMs: 0 },
        }),
      ).initialize();
      try {
        proxy.setMode('hang');
        const started = Date.now();
        await expect(ds.query('SELECT 1')).rejects.toThrow(/Query read timeout/);
        expect(elapsed(started)).toBeLessThan(1_500);
        // The late answer must not be read as the next statement's: the connection is gone.
        proxy.setMode('pass');
        expect(await ds.query('SELECT 2 AS two')).toEqual([{ two: 2 }]);
      } finally {
        proxy.setMode('pass');
        await ds.destroy();
      }
    });
  });

  describe('boot', () => {
    it('should name DATABASE_URL without its password when the database refuses', async () => {
      proxy.setMode('refuse');
      const url = new URL(proxy.urlFor(upstream.url));
      url.username = 'switchboard';
      url.password = 's3cret-pass';
      const started = Date.now();
      const err = await createTestApp({ DATABASE_URL: url.toString(), DB_CONNECT_TIMEOUT_MS: '1000' }).then(
        (t) => t.close().then(() => new Error('booted')),
        (e: Error) => e,
      );
      proxy.setMode('pass');
      expect(err).toBeInstanceOf(DatabaseUnavailableError);
      expect(err.message).toMatch(new RegExp(`^DATABASE_URL \\(postgres://switchboard:\\*\\*\\*@127\\.0\\.0\\.1:${proxy.port}/[^)]*\\): `));
      expect(err.message).not.toContain('s3cret-pass');
      console.log(`boot against a refusing database gave up after ${elapsed(started)} ms: ${err.message}`);
    });

    it('should say connection refused, once, when nothing listens at DATABASE_URL', async () => {
      // Port 1 on loopback: nothing listens there.
      const err = await createTestApp({ DATABASE_URL: 'postgres://switchboard:s3cret-pass@127.0.0.1:1/switchboard' }).then(
        (t) => t.close().then(() => new Error('booted')),
        (e: Error) => e,
      );
      expect(err).toBeInstanceOf(DatabaseUnavailableError);
      expect(err.message).toBe('DATABASE_URL (postgres://switchboard:***@127.0.0.1:1/switchboard): connect ECONNREFUSED 127.0.0.1:1');
    });

    it('should give up, not hang, when the database accepts but never answers', async () => {
      proxy.setMode('hang');
      const started = Date.now();
      const err = await createTestApp({ DATABASE_URL: proxy.urlFor(upstream.url), DB_CONNECT_TIMEOUT_MS: '1000' }).then(
        (t) => t.close().then(() => new Error('booted')),
        (e: Error) => e,
      );
      proxy.cut();
      proxy.setMode('pass');
      expect(err).toBeInstanceOf(DatabaseUnavailableError);
      expect(err.message).toMatch(/no answer within the connect timeout/);
      expect(elapsed(started)).toBeLessThan(5_000);
      console.log(`boot against a hung database gave up after ${elapsed(started)} ms: ${err.message}`);
    });
  });

  describe('a running app', () => {
    let t: TestApp;
    let appBaseUrl: string;
    let number: string;

    beforeAll(async () => {
      proxy.setMode('pass');
      t = await createTestApp({
        DATABASE_URL: proxy.urlFor(upstream.url),

        ...(upstream.onRealPostgres ? {} : { DB_POOL_SIZE: '1', DB_PREPARED_STATEMENTS: 'false', REALTIME_TRANSPORT: 'in-process' }),
      });
      appBaseUrl = await t.listen();
      const tenant = await createTenant(t, { settings: { agent: { agentId: 'agent_main' } } });
      number = uniquePhoneNumber();
      expect((await t.api('POST', `/api/tenants/${tenant.id}/phone-numbers`, { phoneNumber: number })).statusCode).toBe(201);
    });
    afterAll(async () => {
      proxy.setMode('pass');
      await t?.close();
    });

    const caller = () => new TwilioCallSimulator({ appBaseUrl, publicBaseUrl: PUBLIC, ...PLATFORM, from: uniquePhoneNumber(), to: number, timeoutMs: 20_000 });
    const ready = async () => (await t.inject({ method: 'GET', url: READY })).statusCode;

    async function voice() {
      const call = caller();
      const started = Date.now();
      const res = await call.postSigned(VOICE, { ...call.baseCallParams(), CallStatus: 'ringing' });
      return { call, res, ms: elapsed(started), says: JSON.stringify(res.twiml ?? {}) };
    }

    it('should answer normally while the database passes', async () => {
      expect(await ready()).toBe(200);
      const { res, says } = await voice();
      expect(res.status).toBe(200);
      expect(says).toContain('media-stream');
    });

    it('should answer the fallback TwiML within 3 s, 503 the status callback within the deadline, and fail readiness while the database hangs', async () => {
      proxy.setMode('hang');
      const hungAt = Date.now();
      const [first, second, third] = await Promise.all([voice(), voice(), voice()]);
      for (const { res, says, ms } of [first, second, third]) {
        expect(res.status).toBe(200);
        expect(says).toContain(DEFAULT_MESSAGES.unavailable);
        expect(ms).toBeLessThan(FALLBACK_TARGET_MS);
      }
      console.log(`time-to-fallback with the database hung: ${[first, second, third].map((v) => v.ms).join(', ')} ms (target < ${FALLBACK_TARGET_MS} ms)`);

      const started = Date.now();
      const status = await first.call.sendStatusCallback('completed');
      const statusMs = elapsed(started);
      expect(status.status).toBe(503);
      expect(statusMs).toBeLessThan(DEADLINE_MS + 500);
      console.log(`status callback with the database hung: ${status.status} after ${statusMs} ms`);

      const probeStarted = Date.now();
      expect(await ready()).toBe(503);
      console.log(`readiness with the database hung: 503 after ${elapsed(probeStarted)} ms (${elapsed(hungAt)} ms after the hang began)`);
      // The fallback route answers without the database at all.
      const fallbackStarted = Date.now();
      const fb = await caller().postSigned('/api/webhooks/twilio/voice/fallback', { ...caller().baseCallParams(), ErrorCode: '11200' });
      expect(fb.status).toBe(200);
      expect(elapsed(fallbackStarted)).toBeLessThan(FALLBACK_TARGET_MS);
    });

    it('should survive the hung connections being cut, and recover without a restart once the database passes', async () => {
      expect(proxy.cut()).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 200));
      expect((await t.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
      proxy.setMode('pass');
      const recoveredAt = Date.now();
      await waitFor(async () => (await ready()) === 200, 15_000, 'readiness 200');
      console.log(`readiness back to 200 ${elapsed(recoveredAt)} ms after the database passed again`);
      const { res, says } = await voice();
      expect(res.status).toBe(200);
      expect(says).toContain('media-stream');
    });

    it('should answer the fallback and fail readiness while the database refuses new connections and the open ones are cut', async () => {
      proxy.setMode('refuse');
      proxy.cut();
      const { res, says, ms } = await voice();
      expect(res.status).toBe(200);
      expect(says).toContain(DEFAULT_MESSAGES.unavailable);
      expect(ms).toBeLessThan(FALLBACK_TARGET_MS);
      console.log(`time-to-fallback with the database refusing: ${ms} ms`);
      const status = await caller().sendStatusCallback('completed');
      expect(status.status).toBe(503);
      expect(await ready()).toBe(503);
      proxy.setMode('pass');
      await waitFor(async () => (await ready()) === 200, 15_000, 'readiness 200');
      expect((await voice()).says).toContain('media-stream');
    });

    it('should survive repeated cuts of live connections', async () => {
      for (let i = 0; i < 3; i++) {
        const pending = Promise.all([voice(), ready()]);
        await new Promise((r) => setTimeout(r, 5));
        proxy.cut();
        const [{ res }] = await pending;
        expect(res.status).toBe(200);
      }
      await waitFor(async () => (await ready()) === 200, 15_000, 'readiness 200');
      expect((await voice()).says).toContain('media-stream');
    });
  });
});
