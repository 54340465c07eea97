import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { EVENT_BUS, type EventBus } from '../../src/modules/realtime/event-bus.port.js';
import type { PgNotifyEventBus } from '../../src/modules/realtime/pg-notify.event-bus.js';
import type { RedisEventBus } from '../../src/modules/realtime/redis.event-bus.js';
import type { StoredEventBus } from '../../src/modules/realtime/stored-event-bus.js';
import { createTenant, type CreatedTenant } from '../factories/tenant.factory.js';
import { createTestApp, type TestApp } from '../support/app.factory.js';
import { eventData, openSse, type SseStream } from '../support/sse-client.js';

// Two app instances on one PostgreSQL database, as behind a load balancer: an event produced on
// one reaches SSE clients on the other, through LISTEN/NOTIFY or Redis pub/sub. On embedded
// PGlite every instance has its own database, so there is nothing to share: skipped there.

const REDIS_URL = 'redis://127.0.0.1:6379';
const sharedDatabase = !!process.env.DATABASE_URL;
const redisReachable = sharedDatabase && reachable(6379);

const onSharedPostgres = sharedDatabase ? describe : describe.skip;
const onRedis = redisReachable ? describe : describe.skip;

describe('Realtime across instances', () => {
  if (!sharedDatabase) {
    it.skip('needs a shared PostgreSQL (DATABASE_URL): on embedded PGlite each instance has its own database and NOTIFY cannot cross instances', () =>
      undefined);
  } else if (!redisReachable) {
    it.skip(`Redis transport: ${REDIS_URL} is not reachable`, () => undefined);
  }

  onSharedPostgres('PostgreSQL LISTEN/NOTIFY', () => {
    const cluster = twoInstances({});

    it('should use the NOTIFY transport and show events made on instance B to a client on instance A', async () => {
      const { a, b } = cluster;
      expect(a.app.get<StoredEventBus>(EVENT_BUS).transport).toBe('postgres');
      const tenant = await createTenant(a.t);
      const onA = await cluster.sse(a, '/api/stream/events', tenant);
      const onB = await cluster.sse(b, '/api/stream/events', tenant);
      await b.bus.publish({ tenantId: tenant.id, type: 'call.started', data: { from: 'B' } });
      await a.bus.publish({ tenantId: tenant.id, type: 'call.started', data: { from: 'A' } });
      for (const stream of [onA, onB]) {
        const events = await stream.waitForEvents(2);
        expect(events.map((e) => eventData<{ data: { from: string } }>(e).data.from)).toEqual(['B', 'A']);
      }
    });

    it('should catch up from the table on what was published while its LISTEN connection was down', async () => {
      const { a, b } = cluster;
      const tenant = await createTenant(a.t);
      const onA = await cluster.sse(a, '/api/stream/events', tenant);
      const busA = a.app.get<PgNotifyEventBus>(EVENT_BUS);
      const pid = busA.listenerPid!;
      await b.t.dataSource.query('SELECT pg_terminate_backend($1)', [pid]);
      for (let seq = 0; seq < 10; seq++) await b.bus.publish({ tenantId: tenant.id, type: 'alert', data: { seq } });
      await onA.waitForEvents(10, 'alert', 15_000);
      expect(busA.listenerPid).toBeDefined();
      expect(busA.listenerPid).not.toBe(pid);
      await b.bus.publish({ tenantId: tenant.id, type: 'call.ended', data: {} });
      await onA.waitForEvents(1, 'call.ended');
      expect(onA.events.map((e) => e.event)).toEqual([...Array(10).fill('alert'), 'call.ended']);
      expect(onA.events.filter((e) => e.event === 'alert').map((e) => eventData<{ data: { seq: number } }>(e).data.seq)).toEqual([...Array(10).keys()]);
    });

    it('should replay on instance B what a client missed on instance A (no sticky sessions)', async () => {
      const { a, b } = cluster;
      const tenant = await createTenant(a.t);
      const onA = await cluster.sse(a, '/api/stream/events', tenant);
      await a.bus.publish({ tenantId: tenant.id, type: 'alert', data: { n: 1 } });
      await onA.waitForEvents(1);
      onA.close();
      await a.bus.publish({ tenantId: tenant.id, type: 'alert', data: { n: 2 } });
      await b.bus.publish({ tenantId: tenant.id, type: 'alert', data: { n: 3 } });
      const onB = await cluster.sse(b, '/api/stream/events', tenant, { 'last-event-id': onA.lastEventId! });
      const events = await onB.waitForEvents(2);
      expect(events.map((e) => eventData<{ data: { n: number } }>(e).data.n)).toEqual([2, 3]);
    });

    it('should end its streams when an instance shuts down, so clients reconnect to another one', async () => {
      const { a, b } = cluster;
      const tenant = await createTenant(a.t);
      const onA = await cluster.sse(a, '/api/stream/events', tenant);
      await a.t.close();
      a.closed = true;
      await onA.closed;
      await b.bus.publish({ tenantId: tenant.id, type: 'alert', data: {} });
      const onB = await cluster.sse(b, '/api/stream/events', tenant, { 'last-event-id': onA.lastEventId ?? '0' });
      await onB.waitForEvents(1);
    });
  });

  onRedis('Redis pub/sub', () => {
    // A channel of its own: other test runs may use the same Redis.
    const cluster = twoInstances({ REDIS_URL, REALTIME_CHANNEL: `sb_test_${process.pid}_${Date.now()}` });

    it('should use Redis and show events made on instance B to a client on instance A, still stored for replay', async () => {
      const { a, b } = cluster;
      expect(a.app.get<StoredEventBus>(EVENT_BUS).transport).toBe('redis');
      const tenant = await createTenant(a.t);
      const onA = await cluster.sse(a, '/api/stream/events', tenant);
      await b.bus.publish({ tenantId: tenant.id, type: 'sms.received', data: { n: 1 } });
      await b.t.dataSource.transaction((manager) =>
        b.bus.publish({ tenantId: tenant.id, type: 'sms.received', data: { n: 2, text: 'z'.repeat(5_000) } }, { manager }),
      );
      const events = await onA.waitForEvents(2);
      expect(events.map((e) => eventData<{ data: { n: number } }>(e).data.n)).toEqual([1, 2]);
      const replay = await cluster.sse(b, '/api/stream/events', tenant, { 'last-event-id': events[0].id! });
      expect(eventData((await replay.waitForEvents(1))[0])).toMatchObject({ data: { n: 2 } });
    });

    it('should catch up from the table on what was published while its subscription was down', async () => {
      const { a, b } = cluster;
      const tenant = await createTenant(a.t);
      const onA = await cluster.sse(a, '/api/stream/events', tenant);
      const admin = new Redis(REDIS_URL);
      try {
        const name = a.app.get<RedisEventBus>(EVENT_BUS).subscriberName;
        const line = (await admin.client('LIST')) as string;
        const id = /id=(\d+) [^\n]*name=([^ ]+)/g;
        const match = [...line.matchAll(id)].find((m) => m[2] === name);
        expect(match).toBeDefined();
        await admin.client('KILL', 'ID', match![1]);
      } finally {
        admin.disconnect();
      }
      for (let seq = 0; seq < 10; seq++) await b.bus.publish({ tenantId: tenant.id, type: 'alert', data: { seq } });
      const events = await onA.waitForEvents(10, 'alert', 15_000);
      expect(events.map((e) => eventData<{ data: { seq: number } }>(e).data.seq)).toEqual([...Array(10).keys()]);
    });
  });
});

interface Instance {
  t: TestApp;
  app: TestApp['app'];
  bus: EventBus;
  base: string;
  closed: boolean;
}

/** Two apps on the run's database; `a`/`b` are filled in beforeAll. */
function twoInstances(overrides: Record<string, string>) {
  const streams: SseStream[] = [];
  const cluster = {
    a: undefined as unknown as Instance,
    b: undefined as unknown as Instance,
    async sse(instance: Instance, path: string, tenant: CreatedTenant, headers: Record<string, string> = {}) {
      const stream = await openSse(`${instance.base}${path}`, { authorization: `Bearer ${tenant.apiKey}`, ...headers });
      expect(stream.status).toBe(200);
      streams.push(stream);
      return stream;
    },
  };
  const start = async (): Promise<Instance> => {
    const t = await createTestApp({ REALTIME_PRUNE_INTERVAL_MS: '0', ...overrides });
    return { t, app: t.app, bus: t.app.get<EventBus>(EVENT_BUS), base: await t.listen(), closed: false };
  };
  beforeAll(async () => {
    cluster.a = await start();
    cluster.b = await start();
  });
  afterAll(async () => {
    streams.forEach((s) => s.close());
    for (const instance of [cluster.a, cluster.b]) if (instance && !instance.closed) await instance.t.close();
  });
  return cluster;
}

/** Synchronous (Jest decides what to skip while collecting tests): a child process tries to connect. */
function reachable(port: number): boolean {
  const probe = `const s=require('net').connect(${port},'127.0.0.1');s.setTimeout(500,()=>process.exit(1));s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1));`;
  return spawnSync(process.execPath, ['-e', probe], { timeout: 3_000 }).status === 0;
}
