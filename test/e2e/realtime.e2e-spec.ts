import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import net from 'node:net';
import { deriveKey } from '../../src/common/crypto/secret-box.js';
import { ShutdownService } from '../../src/common/lifecycle/shutdown.service.js';
import { LeadsRepository } from '../../src/modules/leads/leads.repository.js';
import { EVENT_BUS, type EventBus } from '../../src/modules/realtime/event-bus.port.js';
import { RealtimeHub } from '../../src/modules/realtime/realtime-hub.service.js';
import { RealtimeRetentionService } from '../../src/modules/realtime/realtime-retention.service.js';
import { RealtimeMetrics } from '../../src/modules/realtime/realtime.metrics.js';
import { RealtimeController } from '../../src/modules/realtime/realtime.controller.js';
import { signStreamToken } from '../../src/modules/realtime/stream-token.js';
import { createTenant, type CreatedTenant, uniquePhoneNumber } from '../factories/tenant.factory.js';
import { createTestApp, type TestApp } from '../support/app.factory.js';
import { waitFor } from '../support/wait-for.js';
import { eventData, openSse, type SseStream } from '../support/sse-client.js';

// One app (PGlite or PostgreSQL, whichever the run uses) over real HTTP. The cross-instance
// behaviour (two apps, NOTIFY and Redis) is in realtime-cluster.e2e-spec.ts.

const REPLAY_MAX = 60;

describe(RealtimeController.name, () => {
  let t: TestApp;
  let base: string;
  let bus: EventBus;
  let closed = false;
  const open: SseStream[] = [];

  const sse = async (path: string, headers: Record<string, string> = {}) => {
    const stream = await openSse(`${base}${path}`, headers);
    open.push(stream);
    return stream;
  };
  const auth = (tenant: CreatedTenant) => ({ authorization: `Bearer ${tenant.apiKey}` });
  const lead = async (tenant: CreatedTenant) => (await t.app.get(LeadsRepository).findOrCreateByPhone(tenant.id, uniquePhoneNumber())).id;
  const publishN = async (tenantId: string, count: number, extra: Record<string, unknown> = {}, leadId?: string) => {
    for (let seq = 0; seq < count; seq++) await bus.publish({ tenantId, type: 'alert', leadId, data: { seq, ...extra } });
  };
  const seqs = (s: SseStream) => s.events.filter((e) => e.event === 'alert').map((e) => eventData<{ data: { seq: number } }>(e).data.seq);

  beforeAll(async () => {
    t = await createTestApp({
      REALTIME_HEARTBEAT_MS: '200',
      REALTIME_STREAM_RECHECK_MS: '300',
      REALTIME_PRUNE_INTERVAL_MS: '0',
      REALTIME_REPLAY_MAX_EVENTS: String(REPLAY_MAX),
      REALTIME_SSE_MAX_QUEUE_BYTES: '65536',
    });
    base = await t.listen();
    bus = t.app.get<EventBus>(EVENT_BUS);
  });

  afterAll(async () => {
    open.forEach((s) => s.close());
    if (!closed) await t.close();
  });

  describe('GET /api/stream/events', () => {
    it('should stream with no-buffering headers, a retry line and heartbeats when opened with a tenant key', async () => {
      const tenant = await createTenant(t);
      const stream = await sse('/api/stream/events', auth(tenant));
      expect(stream.status).toBe(200);
      expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
      expect(stream.headers['cache-control']).toContain('no-cache');
      expect(stream.headers['x-accel-buffering']).toBe('no');
      expect(stream.headers.connection).toBe('keep-alive');
      await stream.waitFor((s) => s.retry !== undefined && s.comments.includes('ping'), 5_000, 'retry and a heartbeat');
      expect(stream.retry).toBeGreaterThanOrEqual(1_000);

      await bus.publish({ tenantId: tenant.id, type: 'call.started', callId: null, data: { direction: 'inbound' } });
      const [event] = await stream.waitForEvents(1, 'call.started');
      expect(event.id).toMatch(/^[1-9][0-9]*$/);
      expect(eventData(event)).toMatchObject({ id: event.id, type: 'call.started', tenantId: tenant.id, data: { direction: 'inbound' } });
      expect(eventData<{ occurredAt: string }>(event).occurredAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });

    it("should deliver only the caller tenant's events when two tenants publish", async () => {
      const [a, b] = [await createTenant(t), await createTenant(t)];
      const [streamA, streamB] = [await sse('/api/stream/events', auth(a)), await sse('/api/stream/events', auth(b))];
      await bus.publish({ tenantId: b.id, type: 'alert', data: { secret: 'b-only' } });
      await bus.publish({ tenantId: a.id, type: 'alert', data: { mine: 'a' } });
      await bus.publish({ tenantId: b.id, type: 'call.ended', data: {} });
      await bus.publish({ tenantId: a.id, type: 'call.ended', data: {} });
      await streamA.waitForEvents(1, 'call.ended');
      await streamB.waitForEvents(1, 'call.ended');
      expect(streamA.events.map((e) => eventData<{ tenantId: string }>(e).tenantId)).toEqual([a.id, a.id]);
      expect(streamB.events.map((e) => eventData<{ tenantId: string }>(e).tenantId)).toEqual([b.id, b.id]);
      expect(JSON.stringify(streamA.events)).not.toContain('b-only');
    });

    it('should refuse a missing or wrong key with 401 and make the admin name a tenant', async () => {
      const tenant = await createTenant(t);
      expect((await sse('/api/stream/events')).status).toBe(401);
      expect((await sse('/api/stream/events', { authorization: 'Bearer sb_live_not-a-key' })).status).toBe(401);
      expect((await sse('/api/stream/events', { authorization: `Bearer ${t.adminKey}` })).status).toBe(400);
      const other = await createTenant(t);
      expect((await sse(`/api/stream/events?tenantId=${other.id}`, auth(tenant))).status).toBe(404);
      const admin = await sse(`/api/stream/events?tenantId=${tenant.id}`, { authorization: `Bearer ${t.adminKey}` });
      expect(admin.status).toBe(200);
      await bus.publish({ tenantId: tenant.id, type: 'lead.updated', data: { score: 70 } });
      await admin.waitForEvents(1, 'lead.updated');
    });
  });

  describe('GET /api/stream/conversation/:leadId', () => {
    it("should deliver only that lead's events and answer 404 for another tenant's lead", async () => {
      const [tenant, other] = [await createTenant(t), await createTenant(t)];
      const [leadA, leadB, foreignLead] = [await lead(tenant), await lead(tenant), await lead(other)];
      const stream = await sse(`/api/stream/conversation/${leadA}`, auth(tenant));
      expect(stream.status).toBe(200);
      await bus.publish({ tenantId: tenant.id, type: 'sms.received', leadId: leadB, data: { n: 1 } });
      await bus.publish({ tenantId: tenant.id, type: 'call.started', data: {} }); // no lead
      await bus.publish({ tenantId: tenant.id, type: 'sms.received', leadId: leadA, data: { n: 2 } });
      const [event] = await stream.waitForEvents(1);
      await new Promise((r) => setTimeout(r, 200));
      expect(stream.events).toHaveLength(1);
      expect(eventData(event)).toMatchObject({ leadId: leadA, data: { n: 2 } });

      expect((await sse(`/api/stream/conversation/${foreignLead}`, auth(tenant))).status).toBe(404);
      expect((await sse(`/api/stream/conversation/not-a-uuid`, auth(tenant))).status).toBe(400);
    });
  });

  describe('POST /api/stream/tokens', () => {
    it('should issue tokens that open the stream endpoints, bound to the tenant and optionally a lead', async () => {
      const tenant = await createTenant(t);
      const [leadA, leadB] = [await lead(tenant), await lead(tenant)];
      const tenantToken = (await t.api('POST', '/api/stream/tokens', {}, tenant.apiKey)).json();
      expect(tenantToken).toMatchObject({ tenantId: tenant.id, leadId: null });
      expect(new Date(tenantToken.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(5 * 60_000);

      const all = await sse(`/api/stream/events?token=${encodeURIComponent(tenantToken.token)}`);
      expect(all.status).toBe(200);
      const res = await t.api('POST', '/api/stream/tokens', { leadId: leadA }, tenant.apiKey);
      expect(res.statusCode).toBe(201);
      const leadToken = res.json().token as string;
      const conversation = await sse(`/api/stream/conversation/${leadA}?token=${encodeURIComponent(leadToken)}`);
      expect(conversation.status).toBe(200);
      await bus.publish({ tenantId: tenant.id, type: 'takeover.started', leadId: leadA, data: { operator: 'Alex' } });
      await all.waitForEvents(1, 'takeover.started');
      await conversation.waitForEvents(1, 'takeover.started');

      // Wrong lead, or a lead-bound token on the tenant-wide stream: 403.
      expect((await sse(`/api/stream/conversation/${leadB}?token=${encodeURIComponent(leadToken)}`)).status).toBe(403);
      expect((await sse(`/api/stream/events?token=${encodeURIComponent(leadToken)}`)).status).toBe(403);
    });

    it('should refuse expired, tampered and foreign-lead tokens, and stream tokens anywhere but the stream endpoints', async () => {
      const tenant = await createTenant(t);
      const other = await createTenant(t);
      const key = deriveKey(t.config.auth.encryptionKey, 'stream-token');
      const expired = signStreamToken(key, { tenantId: tenant.id, leadId: null, expiresAt: Date.now() - 1 });
      const expiredRes = await sse(`/api/stream/events?token=${encodeURIComponent(expired)}`);
      expect(expiredRes.status).toBe(401);
      expect(JSON.parse(expiredRes.body!).message).toMatch(/expired/);
      const forged = signStreamToken(Buffer.alloc(32, 7), { tenantId: tenant.id, leadId: null, expiresAt: Date.now() + 60_000 });
      expect((await sse(`/api/stream/events?token=${encodeURIComponent(forged)}`)).status).toBe(401);
      expect((await sse('/api/stream/events?token=garbage')).status).toBe(401);

      expect((await t.api('POST', '/api/stream/tokens', { leadId: await lead(other) }, tenant.apiKey)).statusCode).toBe(404);
      expect((await t.api('POST', '/api/stream/tokens', {})).statusCode).toBe(400); // the admin must name a tenant (TENANT_REQUIRED)
      expect((await t.inject({ method: 'POST', url: '/api/stream/tokens', payload: {} })).statusCode).toBe(401);

      const { token } = (await t.api('POST', '/api/stream/tokens', {}, tenant.apiKey)).json();
      expect((await t.inject({ method: 'GET', url: `/api/tenants/${tenant.id}?token=${encodeURIComponent(token)}` })).statusCode).toBe(401);
      expect((await t.api('GET', `/api/tenants/${tenant.id}`, undefined, token)).statusCode).toBe(401);
      expect((await t.api('POST', '/api/stream/tokens', {}, token)).statusCode).toBe(401);
    });
  });

  describe('open streams when access is withdrawn', () => {
    it('should close the streams of a revoked API key (and only those) and refuse the reconnect', async () => {
      const tenant = await createTenant(t);
      const other = await createTenant(t);
      const second = (await t.api('POST', `/api/tenants/${tenant.id}/api-keys`, { name: 'second' })).json<{ key: string }>();
      const [revoked, sameTenantOtherKey, otherTenant] = [
        await sse('/api/stream/events', auth(tenant)),
        await sse('/api/stream/events', { authorization: `Bearer ${second.key}` }),
        await sse('/api/stream/events', auth(other)),
      ];
      const revokedBefore = (await t.app.get(RealtimeMetrics).disconnects.get()).values.find((v) => v.labels.reason === 'revoked')?.value ?? 0;

      expect((await t.api('DELETE', `/api/tenants/${tenant.id}/api-keys/${tenant.apiKeyId}`)).statusCode).toBe(204);
      await revoked.closed;
      await bus.publish({ tenantId: tenant.id, type: 'alert', data: { seq: 1 } });
      await bus.publish({ tenantId: other.id, type: 'alert', data: { seq: 1 } });
      await sameTenantOtherKey.waitForEvents(1, 'alert');
      await otherTenant.waitForEvents(1, 'alert');
      expect(sameTenantOtherKey.ended || otherTenant.ended).toBe(false);
      expect((await sse('/api/stream/events', auth(tenant))).status).toBe(401);
      const revokedAfter = (await t.app.get(RealtimeMetrics).disconnects.get()).values.find((v) => v.labels.reason === 'revoked')?.value ?? 0;
      expect(revokedAfter - revokedBefore).toBe(1);
    });

    it("should close a suspended tenant's key and token streams, keep the admin's, and refuse its tokens until it is active again", async () => {
      const tenant = await createTenant(t);
      const { token } = (await t.api('POST', '/api/stream/tokens', {}, tenant.apiKey)).json<{ token: string }>();
      const byKey = await sse('/api/stream/events', auth(tenant));
      const byToken = await sse(`/api/stream/events?token=${encodeURIComponent(token)}`);
      const byAdmin = await sse(`/api/stream/events?tenantId=${tenant.id}`, { authorization: `Bearer ${t.config.auth.adminApiKey}` });
      expect([byKey.status, byToken.status, byAdmin.status]).toEqual([200, 200, 200]);

      expect((await t.api('POST', `/api/tenants/${tenant.id}/suspend`)).statusCode).toBe(200);
      await Promise.all([byKey.closed, byToken.closed]);
      await bus.publish({ tenantId: tenant.id, type: 'alert', data: { seq: 1 } });
      await byAdmin.waitForEvents(1, 'alert');
      expect((await sse(`/api/stream/events?token=${encodeURIComponent(token)}`)).status).toBe(403);
      expect((await sse('/api/stream/events', auth(tenant))).status).toBe(403);

      expect((await t.api('POST', `/api/tenants/${tenant.id}/activate`)).statusCode).toBe(200);
      expect((await sse(`/api/stream/events?token=${encodeURIComponent(token)}`)).status).toBe(200);
    });
  });

  describe('Last-Event-ID replay', () => {
    it('should replay exactly the missed events in order and then continue live', async () => {
      const tenant = await createTenant(t);
      const first = await sse('/api/stream/events', auth(tenant));
      await publishN(tenant.id, 50, { batch: 1 });
      await first.waitForEvents(50);
      const lastSeen = first.lastEventId!;
      first.close();
      await first.closed;

      await publishN(tenant.id, 50, { batch: 2 });
      const second = await sse('/api/stream/events', { ...auth(tenant), 'last-event-id': lastSeen });
      const replayed = await second.waitForEvents(50);
      expect(replayed.map((e) => eventData<{ data: { batch: number } }>(e).data.batch)).toEqual(Array(50).fill(2));
      expect(seqs(second)).toEqual([...Array(50).keys()]);
      const ids = replayed.map((e) => Number(e.id));
      expect(ids.every((id, i) => id > Number(lastSeen) && (i === 0 || id > ids[i - 1]))).toBe(true);

      await bus.publish({ tenantId: tenant.id, type: 'call.ended', data: {} });
      await second.waitForEvents(1, 'call.ended');
      await new Promise((r) => setTimeout(r, 200));
      expect(second.events).toHaveLength(51);
    });

    it('should accept ?lastEventId= for clients without headers, the header winning, and refuse a malformed id', async () => {
      const tenant = await createTenant(t);
      const leadId = await lead(tenant);
      const watcher = await sse('/api/stream/events', auth(tenant));
      await publishN(tenant.id, 6, {}, leadId);
      const all = await watcher.waitForEvents(6);
      const byQuery = await sse(`/api/stream/conversation/${leadId}?lastEventId=${all[1].id}`, auth(tenant));
      await byQuery.waitForEvents(4);
      expect(seqs(byQuery)).toEqual([2, 3, 4, 5]);
      const headerWins = await sse(`/api/stream/events?lastEventId=${all[1].id}`, { ...auth(tenant), 'last-event-id': all[4].id! });
      await headerWins.waitForEvents(1);
      await new Promise((r) => setTimeout(r, 200));
      expect(seqs(headerWins)).toEqual([5]);
      expect((await sse('/api/stream/events', { ...auth(tenant), 'last-event-id': 'abc' })).status).toBe(400);
      expect((await sse('/api/stream/events?lastEventId=-1', auth(tenant))).status).toBe(400);
    });

    it('should lose and repeat nothing when events keep coming while a client replays', async () => {
      const tenant = await createTenant(t);
      const watcher = await sse('/api/stream/events', auth(tenant));
      await publishN(tenant.id, 5);
      const start = (await watcher.waitForEvents(5))[4].id!;
      // 50 more as fast as they go (fewer than one replay carries); the client reconnects mid-way,
      // so events land in the replay, in the held live queue, or in both.
      let seq = 5;
      const producer = (async () => {
        while (seq < 55) await bus.publish({ tenantId: tenant.id, type: 'alert', data: { seq: seq++ } });
      })();
      while (seq < 12) await new Promise((r) => setImmediate(r));
      const resumed = await sse('/api/stream/events', { ...auth(tenant), 'last-event-id': start });
      await producer;
      await resumed.waitForEvents(50, undefined, 15_000);
      await new Promise((r) => setTimeout(r, 200));
      expect(seqs(resumed)).toEqual(Array.from({ length: 50 }, (_, i) => i + 5));
    });

    it('should send a replay.truncated notice when more events were missed than one replay carries', async () => {
      const tenant = await createTenant(t);
      await publishN(tenant.id, REPLAY_MAX + 5);
      const stream = await sse('/api/stream/events', { ...auth(tenant), 'last-event-id': '0' });
      const [notice] = await stream.waitForEvents(1, 'replay.truncated');
      expect(seqs(stream)).toEqual([...Array(REPLAY_MAX).keys()]);
      expect(notice.id).toBeUndefined();
      expect(eventData(notice)).toMatchObject({ reason: 'limit', lastEventId: stream.lastEventId });
    });
  });

  describe('EventBus.publish', () => {
    it("should deliver an event published in a producer's transaction only after commit, and never after rollback", async () => {
      const tenant = await createTenant(t);
      const stream = await sse('/api/stream/events', auth(tenant));
      await expect(
        t.dataSource.transaction(async (manager) => {
          await bus.publish({ tenantId: tenant.id, type: 'alert', data: { seq: -1 } }, { manager });
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      await t.dataSource.transaction(async (manager) => {
        await bus.publish({ tenantId: tenant.id, type: 'alert', data: { seq: 1 } }, { manager });
        await new Promise((r) => setTimeout(r, 150));
        expect(stream.events).toHaveLength(0); // not before the commit
      });
      await stream.waitForEvents(1);
      await new Promise((r) => setTimeout(r, 150));
      expect(seqs(stream)).toEqual([1]);
      const rows = await t.dataSource.query('SELECT data FROM realtime_events WHERE tenant_id = $1', [tenant.id]);
      expect(rows).toEqual([{ data: { seq: 1 } }]);
    });

    it('should deliver large data in full (read back by id) and replace oversized data by a marker', async () => {
      const tenant = await createTenant(t);
      const stream = await sse('/api/stream/events', auth(tenant));
      const text = 'x'.repeat(6_000);
      await bus.publish({ tenantId: tenant.id, type: 'call.transcript', data: { text } });
      await bus.publish({ tenantId: tenant.id, type: 'call.transcript', data: { text: 'y'.repeat(40_000) } });
      const [large, oversized] = await stream.waitForEvents(2);
      expect(eventData<{ data: { text: string } }>(large).data.text).toBe(text);
      expect(eventData(oversized)).toMatchObject({ data: { truncated: true } });
    });

    it('should store and deliver events published at once (one shared statement) in publishing order, each with its own data', async () => {
      const [tenant, other] = [await createTenant(t), await createTenant(t)];
      const stream = await sse('/api/stream/events', auth(tenant));
      const big = 'z'.repeat(3_000); // too large to ride in the notification: read back by id
      // Not awaited one by one: these share multi-row inserts (RealtimeEventsRepository.insert).
      await Promise.all(
        Array.from({ length: 60 }, (_, seq) =>
          bus.publish({ tenantId: seq % 3 === 2 ? other.id : tenant.id, type: 'alert', data: seq % 10 === 0 ? { seq, big } : { seq } }),
        ),
      );
      const mine = Array.from({ length: 60 }, (_, seq) => seq).filter((seq) => seq % 3 !== 2);
      await stream.waitForEvents(mine.length);
      expect(seqs(stream)).toEqual(mine);
      const big0 = stream.events.map((e) => eventData<{ data: { seq: number; big?: string } }>(e).data).find((d) => d.seq === 30);
      expect(big0?.big).toBe(big);
      const rows: Array<{ id: string; seq: number }> = await t.dataSource.query(
        `SELECT id, (data->>'seq')::int AS seq FROM realtime_events WHERE tenant_id = $1 ORDER BY id`,
        [tenant.id],
      );
      expect(rows.map((r) => r.seq)).toEqual(mine);
      expect(stream.events.map((e) => e.id)).toEqual(rows.map((r) => r.id));
    });

    it('should still store the other events of a shared statement when one of them cannot be stored', async () => {
      const tenant = await createTenant(t);
      const gone = '00000000-0000-4000-8000-000000000000'; // no such tenant: its row breaks the foreign key
      await Promise.all(Array.from({ length: 8 }, (_, seq) => bus.publish({ tenantId: seq === 3 ? gone : tenant.id, type: 'alert', data: { seq } })));
      const rows: Array<{ seq: number }> = await t.dataSource.query(`SELECT (data->>'seq')::int AS seq FROM realtime_events WHERE tenant_id = $1 ORDER BY id`, [
        tenant.id,
      ]);
      expect(rows.map((r) => r.seq)).toEqual([0, 1, 2, 4, 5, 6, 7]);
    });
  });

  describe(RealtimeRetentionService.name, () => {
    it('should prune events older than the retention and keep the rest', async () => {
      // Pruning is global, and other suites may share this database: the rows of this test get
      // negative ids (below every real event), so only they can be older than everything else.
      const tenant = await createTenant(t);
      const insert = (id: number, age: string) =>
        t.dataSource.query(
          `INSERT INTO realtime_events (id, tenant_id, type, data, occurred_at) OVERRIDING SYSTEM VALUE VALUES ($1, $2, 'alert', '{}', now() - $3::interval)`,
          [id, tenant.id, age],
        );
      await insert(-1_000_003, '72 hours');
      await insert(-1_000_002, '25 hours');
      await insert(-1_000_001, '1 hour');
      try {
        expect(await t.app.get(RealtimeRetentionService).pruneOnce()).toBe(2);
        const left: Array<{ id: string }> = await t.dataSource.query('SELECT id::text AS id FROM realtime_events WHERE tenant_id = $1', [tenant.id]);
        expect(left).toEqual([{ id: '-1000001' }]);
      } finally {
        await t.dataSource.query('DELETE FROM realtime_events WHERE id < 0');
      }
    });
  });

  describe('connections', () => {
    it('should forget a client that disconnects and drop one that stops reading', async () => {
      const tenant = await createTenant(t);
      const hub = t.app.get(RealtimeHub);
      const stream = await sse('/api/stream/events', auth(tenant));
      expect(hub.connectionCount(tenant.id)).toBe(1);
      stream.close();
      await waitFor(() => hub.connectionCount(tenant.id) === 0);

      // A raw socket that sends the request and then never reads: the kernel buffers fill up,
      // then Node's; past REALTIME_SSE_MAX_QUEUE_BYTES the server cuts the connection.
      const { port } = new URL(base);
      const socket = net.connect(Number(port), '127.0.0.1');
      let serverClosed = false;
      socket.on('close', () => (serverClosed = true));
      socket.on('error', () => undefined);
      socket.write(`GET /api/stream/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${tenant.apiKey}\r\nAccept: text/event-stream\r\n\r\n`);
      socket.pause();
      await waitFor(() => hub.connectionCount(tenant.id) === 1);
      const chunk = 'z'.repeat(15_000);
      for (let i = 0; i < 2_000 && hub.connectionCount(tenant.id) > 0; i++) {
        await bus.publish({ tenantId: tenant.id, type: 'call.transcript', data: { chunk } });
      }
      await waitFor(() => hub.connectionCount(tenant.id) === 0, 10_000);
      const dropped = await t.app.get(RealtimeMetrics).disconnects.get();
      expect(dropped.values.find((v) => v.labels.reason === 'slow')?.value).toBe(1);
      socket.resume();
      await waitFor(() => serverClosed, 10_000);
      socket.destroy();
    });

    it('should end open streams when the instance drains, send new ones away, and close cleanly', async () => {
      const tenant = await createTenant(t);
      const stream = await sse('/api/stream/events', auth(tenant));
      await t.app.get(ShutdownService).drain(0);
      await stream.closed;
      expect(stream.ended).toBe(true);
      // A 200 that ends at once (with retry:), so EventSource reconnects rather than giving up.
      const late = await sse('/api/stream/events', auth(tenant));
      expect(late.status).toBe(200);
      await late.closed;
      expect(late.retry).toBeGreaterThan(0);
      expect(t.app.get(RealtimeHub).connectionCount()).toBe(0);
      const started = Date.now();
      await t.close();
      closed = true;
      expect(Date.now() - started).toBeLessThan(5_000);
    });
  });
});
