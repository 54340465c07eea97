import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { createTestApp, type TestApp } from '../support/app.factory.js';
import { TcpFaultProxy } from '../support/tcp-fault-proxy.js';
import { waitFor } from '../support/wait-for.js';

// Readiness with the Redis realtime transport configured: red while Redis does not answer (nothing
// listening, refused, cut, hung), green again once it does, without a restart.

const REDIS = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const redisReachable = ['127.0.0.1', 'localhost'].includes(REDIS.hostname) && reachable(Number(REDIS.port || 6379));
const onRedis = redisReachable ? describe : describe.skip;
const READY = '/api/health/ready';

async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function readiness(t: TestApp): Promise<{ status: number; realtime?: { status: string } }> {
  const res = await t.inject({ method: 'GET', url: READY });
  const body = res.json<{ info?: Record<string, { status: string }>; error?: Record<string, { status: string }> }>();
  return { status: res.statusCode, realtime: body.error?.realtime ?? body.info?.realtime };
}

describe('Readiness and the Redis realtime transport', () => {
  it('should be 503, naming realtime, while nothing listens at REDIS_URL', async () => {
    const t = await createTestApp({ REALTIME_TRANSPORT: 'redis', REDIS_URL: `redis://127.0.0.1:${await unusedPort()}` });
    try {
      expect(await readiness(t)).toEqual({ status: 503, realtime: { status: 'down', transport: 'redis', connected: false } });
    } finally {
      await t.close();
    }
  });

  it('should warn once at boot that REDIS_URL is ignored with the embedded database', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-redis-warn-'));
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      const t = await createTestApp({ DATABASE_URL: '', DATA_DIR: dataDir, REDIS_URL: `redis://127.0.0.1:${await unusedPort()}` });
      await t.close();
      const said = warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('REDIS_URL'));
      expect(said).toHaveLength(1);
      expect(said[0]).toMatch(/REDIS_URL is set but ignored: with the embedded database/);
    } finally {
      warn.mockRestore();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  if (!redisReachable) it.skip(`Redis through a fault proxy: ${REDIS.host} is not reachable`, () => undefined);

  onRedis('through a fault proxy', () => {
    let proxy: TcpFaultProxy;
    let t: TestApp;
    beforeAll(async () => {
      proxy = await TcpFaultProxy.start({ host: '127.0.0.1', port: Number(REDIS.port || 6379) });
      t = await createTestApp({
        REALTIME_TRANSPORT: 'redis',
        REDIS_URL: proxy.urlFor(REDIS.toString()),
        REALTIME_CHANNEL: `sb_ready_${process.pid}_${Date.now()}`,
      });
    });
    afterAll(async () => {
      await t?.close();
      await proxy?.stop();
    });

    const becomes = (status: number) => waitFor(async () => (await readiness(t)).status === status, 15_000, `readiness ${status}`);

    it('should be 200 while Redis answers', async () => {
      await becomes(200);
      expect((await readiness(t)).realtime).toEqual({ status: 'up', transport: 'redis' });
    });

    it('should be 503 while Redis hangs, and 200 again once it answers', async () => {
      proxy.setMode('hang');
      const started = Date.now();
      expect((await readiness(t)).status).toBe(503);
      console.log(`readiness with Redis hung: 503 after ${Date.now() - started} ms`);
      proxy.cut();
      proxy.setMode('pass');
      await becomes(200);
    });

    it('should be 503 while Redis refuses connections, and 200 again once it accepts', async () => {
      proxy.setMode('refuse');
      proxy.cut();
      await becomes(503);
      proxy.setMode('pass');
      const started = Date.now();
      await becomes(200);
      console.log(`readiness back to 200 ${Date.now() - started} ms after Redis accepted again`);
    });
  });
});

/** Synchronous (Jest decides what to skip while collecting tests): a child process tries to connect. */
function reachable(port: number): boolean {
  const probe = `const s=require('net').connect(${port},'127.0.0.1');s.setTimeout(500,()=>process.exit(1));s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1));`;
  return spawnSync(process.execPath, ['-e', probe], { timeout: 3_000 }).status === 0;
}
