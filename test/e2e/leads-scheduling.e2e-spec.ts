import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { EVENT_BUS, type EventBus, type RealtimeEvent } from '../../src/modules/realtime/event-bus.port.js';
import { createTenant, type CreatedTenant, uniquePhoneNumber } from '../factories/tenant.factory.js';
import { createTestApp, type TestApp } from '../support/app.factory.js';
import { waitFor } from '../support/wait-for.js';

// The leads admin API, the scheduling catalogue, and the agent's server tools that book on it
// (authenticated by the tenant's tool secret, never by a tenant id alone).

const HOURS = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ open: '09:00', close: '17:00' }]]));
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

describe('Leads and scheduling', () => {
  let t: TestApp;
  const events: RealtimeEvent[] = [];

  beforeAll(async () => {
    t = await createTestApp({ WEBHOOK_INBOX_POLL_MS: '0', POST_CALL_RECONCILE_INTERVAL_MS: '0' });
    t.app.get<symbol, EventBus>(EVENT_BUS).subscribe((e) => events.push(e));
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('leads API', () => {
    let a: CreatedTenant;
    let b: CreatedTenant;
    const leadIds: Record<string, string> = {};

    beforeAll(async () => {
      [a, b] = [await createTenant(t), await createTenant(t)];
      const rows: Array<[string, string | null, number, number | null, string]> = [
        ['ana', 'Ana García', 80, 60, 'qualified'],
        ['bob', 'Bob 50%_off', 20, 5, 'contacted'],
        ['cy', 'Cyrus', 55, null, 'new'],
        ['dee', null, 80, 120, 'new'],
        ['eve', 'Eve', 10, 1, 'unqualified'],
      ];
      for (const [key, name, score, minutesAgo, status] of rows) {
        const [{ id }] = await t.dataSource.query(
          `INSERT INTO leads (tenant_id, phone_e164, name, score, status, last_contact_at)
           VALUES ($1, $2, $3, $4, $5, CASE WHEN $6::int IS NULL THEN NULL ELSE now() - make_interval(mins => $6::int) END) RETURNING id`,
          [a.id, key === 'dee' ? '+14155559876' : uniquePhoneNumber(), name, score, status, minutesAgo],
        );
        leadIds[key] = id;
      }
      for (let i = 0; i < 5; i++) {
        await t.dataSource.query(
          `INSERT INTO lead_messages (tenant_id, lead_id, channel, direction, role, body, metadata, occurred_at) VALUES ($1, $2, $3, 'inbound', 'user', $4, '{"source":"post_call"}', now() - make_interval(mins => $5))`,
          [a.id, leadIds.ana, i % 2 ? 'sms' : 'voice', `message ${i}`, 50 - i],
        );
      }
    });

    async function allPages(query: string, key = a.apiKey): Promise<string[]> {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await t.api('GET', `/api/leads?limit=2&${query}${cursor ? `&cursor=${cursor}` : ''}`, undefined, key);
        expect(res.statusCode).toBe(200);
        ids.push(...res.json().items.map((l: { id: string }) => l.id));
        cursor = res.json().nextCursor;
      } while (cursor);
      return ids;
    }

    it('should page through leads by last contact (never contacted last) and by score', async () => {
      expect(await allPages('')).toEqual([leadIds.eve, leadIds.bob, leadIds.ana, leadIds.dee, leadIds.cy]);
      const byScore = await allPages('sort=score');
      expect(byScore.slice(2)).toEqual([leadIds.cy, leadIds.bob, leadIds.eve]);
      expect(byScore.slice(0, 2).sort()).toEqual([leadIds.ana, leadIds.dee].sort());
    });

    it('should search by name or phone digits, and filter by status', async () => {
      const ids = async (query: string) => (await t.api('GET', `/api/leads?${query}`, undefined, a.apiKey)).json().items.map((l: { id: string }) => l.id);
      expect(await ids('q=garc')).toEqual([leadIds.ana]);
      expect(await ids(`q=${encodeURIComponent('50%_')}`)).toEqual([leadIds.bob]);
      expect(await ids(`q=${encodeURIComponent('(415) 555-98')}`)).toEqual([leadIds.dee]);
      expect(await ids('status=new&sort=score')).toEqual([leadIds.dee, leadIds.cy]);
      expect((await t.api('GET', '/api/leads?status=hot', undefined, a.apiKey)).statusCode).toBe(400);
      expect((await t.api('GET', '/api/leads?cursor=nonsense', undefined, a.apiKey)).statusCode).toBe(400);
      const scoreCursor = (await t.api('GET', '/api/leads?sort=score&limit=1', undefined, a.apiKey)).json().nextCursor;
      expect((await t.api('GET', `/api/leads?sort=lastContact&cursor=${scoreCursor}`, undefined, a.apiKey)).statusCode).toBe(400);
    });

    it('should show a lead with its timeline, oldest first', async () => {
      const res = await t.api('GET', `/api/leads/${leadIds.ana}?timelineLimit=3`, undefined, a.apiKey);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: leadIds.ana, name: 'Ana García', score: 80, status: 'qualified', timelineTotal: 5 });
      expect(res.json().timeline.map((m: { body: string; channel: string; source: string }) => [m.body, m.channel, m.source])).toEqual([
        ['message 2', 'voice', 'post_call'],
        ['message 3', 'sms', 'post_call'],
        ['message 4', 'voice', 'post_call'],
      ]);
    });

    it('should correct a lead, clear fields with null, audit it and tell dashboards', async () => {
      const res = await t.api(
        'PATCH',
        `/api/leads/${leadIds.cy}`,
        { name: ' Cyrus Smith ', email: 'Cy@Example.com', status: 'customer', notes: 'VIP' },
        a.apiKey,
      );
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ name: 'Cyrus Smith', email: 'cy@example.com', status: 'customer', notes: 'VIP' });
      expect((await t.api('PATCH', `/api/leads/${leadIds.cy}`, { email: null, notes: null }, a.apiKey)).json()).toMatchObject({
        email: null,
        notes: null,
        name: 'Cyrus Smith',
      });
      for (const bad of [{ email: 'nope' }, { status: 'hot' }, { score: 100 }, { name: '' }]) {
        expect((await t.api('PATCH', `/api/leads/${leadIds.cy}`, bad, a.apiKey)).statusCode).toBe(400);
      }
      await waitFor(() => events.some((e) => e.type === 'lead.updated' && e.leadId === leadIds.cy));
      const audits = await t.dataSource.query(`SELECT outcome FROM audit_logs WHERE action = 'lead.update' AND resource_id = $1`, [leadIds.cy]);
      expect(audits.length).toBeGreaterThanOrEqual(2);
    });

    it("should answer 404 for another tenant's lead and change nothing; the admin names the tenant", async () => {
      const before = await t.dataSource.query('SELECT name, status, notes FROM leads WHERE id = $1', [leadIds.ana]);
      expect((await t.api('GET', `/api/leads/${leadIds.ana}`, undefined, b.apiKey)).statusCode).toBe(404);
      expect((await t.api('PATCH', `/api/leads/${leadIds.ana}`, { name: 'Hijacked' }, b.apiKey)).statusCode).toBe(404);
      expect((await t.api('GET', `/api/leads/${leadIds.ana}?tenantId=${a.id}`, undefined, b.apiKey)).statusCode).toBe(404);
      expect((await t.api('GET', '/api/leads', undefined, b.apiKey)).json().items).toEqual([]);
      expect(await t.dataSource.query('SELECT name, status, notes FROM leads WHERE id = $1', [leadIds.ana])).toEqual(before);
      expect((await t.api('GET', '/api/leads')).statusCode).toBe(400);
      expect((await t.api('GET', `/api/leads/${leadIds.ana}?tenantId=${a.id}`)).statusCode).toBe(200);
    });
  });

  describe('scheduling and server tools', () => {
    let shop: CreatedTenant;
    let secret: string;
    let haircutId: string;
    let colourId: string;
    let anna: string;
    let ben: string;
    const date = inDays(8);

    const tool = (method: InjectOptions['method'], path: string, body?: unknown, key: string | null = secret) =>
      t.inject({
        method,
        url: `/api/webhooks/elevenlabs/${path}`,
        headers: { ...(key === null ? {} : { 'x-switchboard-tool-secret': key }), ...(body ? { 'content-type': 'application/json' } : {}) },
        payload: body ? JSON.stringify(body) : undefined,
      });
    const booking = (overrides: Record<string, unknown> = {}) => ({
      employeeId: anna,
      serviceId: haircutId,
      customerName: 'Jane Doe',
      customerPhone: uniquePhoneNumber(),
      startTime: `${date}T10:00`,
      ...overrides,
    });

    beforeAll(async () => {
      shop = await createTenant(t, { timezone: 'Europe/London' });
      const svc = (body: object) => t.api('POST', '/api/scheduling/services', body, shop.apiKey);
      const haircut = await svc({ name: 'Haircut', durationMinutes: 30, priceCents: 3500, currency: 'GBP' });
      expect(haircut.statusCode).toBe(201);
      haircutId = haircut.json().id;
      colourId = (await svc({ name: 'Colour', durationMinutes: 90 })).json().id;
      const emp = (body: object) => t.api('POST', '/api/scheduling/employees', body, shop.apiKey);
      const annaRes = await emp({ name: 'Anna', workingHours: HOURS, serviceIds: [haircutId, colourId] });
      expect(annaRes.statusCode).toBe(201);
      anna = annaRes.json().id;
      ben = (await emp({ name: 'Ben', workingHours: { mon: [{ open: '12:00', close: '14:00' }] }, serviceIds: [colourId] })).json().id;
    });

    it('should validate the catalogue with clear messages', async () => {
      const svc = await t.api('POST', '/api/scheduling/services', { name: 'Odd', durationMinutes: 32 }, shop.apiKey);
      expect(svc.statusCode).toBe(400);
      expect(svc.json().message).toContain('multiple of 5');
      const hours = await t.api('POST', '/api/scheduling/employees', { name: 'X', workingHours: { monday: [] }, serviceIds: [] }, shop.apiKey);
      expect(hours.json().message).toContain('unknown day "monday"');
      const other = await createTenant(t);
      const foreign = await t.api('POST', '/api/scheduling/employees', { name: 'X', workingHours: {}, serviceIds: [haircutId] }, other.apiKey);
      expect(foreign.statusCode).toBe(400);
      expect((await t.api('PATCH', `/api/scheduling/services/${haircutId}`, { priceCents: 4000 }, other.apiKey)).statusCode).toBe(404);
      expect((await t.api('GET', '/api/scheduling/employees', undefined, shop.apiKey)).json().map((e: { name: string }) => e.name)).toEqual(['Anna', 'Ben']);
    });

    it('should issue a tool secret once, store only its hash, and rotate or revoke it', async () => {
      const first = await t.api('POST', `/api/tenants/${shop.id}/tool-secret`, undefined, shop.apiKey);
      expect(first.statusCode).toBe(201);
      expect(first.json()).toEqual({ toolSecret: expect.stringMatching(/^sbt_/), header: 'x-switchboard-tool-secret' });
      const [row] = await t.dataSource.query('SELECT tool_secret_hash FROM tenants WHERE id = $1', [shop.id]);
      expect(row.tool_secret_hash).toBe(createHash('sha256').update(first.json().toolSecret).digest('hex'));
      expect((await tool('GET', 'services', undefined, first.json().toolSecret)).statusCode).toBe(200);

      secret = (await t.api('POST', `/api/tenants/${shop.id}/tool-secret`, undefined, shop.apiKey)).json().toolSecret;
      expect((await tool('GET', 'services', undefined, first.json().toolSecret)).statusCode).toBe(403);
      expect((await tool('GET', 'services')).statusCode).toBe(200);
      const other = await createTenant(t);
      expect((await t.api('POST', `/api/tenants/${shop.id}/tool-secret`, undefined, other.apiKey)).statusCode).toBe(404);

      const otherSecret = (await t.api('POST', `/api/tenants/${other.id}/tool-secret`, undefined, other.apiKey)).json().toolSecret;
      expect((await t.api('DELETE', `/api/tenants/${other.id}/tool-secret`, undefined, other.apiKey)).statusCode).toBe(204);
      expect((await tool('GET', 'services', undefined, otherSecret)).statusCode).toBe(403);
    });

    it('should refuse tool calls without the secret, with a wrong one, or naming another tenant', async () => {
      expect((await tool('GET', 'services', undefined, null)).statusCode).toBe(401);
      expect((await tool('GET', 'services', undefined, 'sbt_wrong')).statusCode).toBe(403);
      expect((await tool('GET', `services?tenantId=${shop.id}`)).statusCode).toBe(200);
      const other = await createTenant(t);
      expect((await tool('GET', `services?tenantId=${other.id}`)).statusCode).toBe(403);
      // The API key guard is not what protects these routes: an admin key is no tool secret.
      expect((await t.inject({ method: 'GET', url: '/api/webhooks/elevenlabs/services', headers: { authorization: `Bearer ${t.adminKey}` } })).statusCode).toBe(
        401,
      );
    });

    it('should describe the catalogue in small JSON an agent can read', async () => {
      expect((await tool('GET', 'services')).json()).toEqual({
        services: [
          { id: colourId, name: 'Colour', durationMinutes: 90, price: null },
          { id: haircutId, name: 'Haircut', durationMinutes: 30, price: '35.00 GBP' },
        ],
      });
      const staff = (await tool('GET', 'employees')).json();
      expect(staff.timezone).toBe('Europe/London');
      expect(staff.employees[0]).toEqual({
        id: anna,
        name: 'Anna',
        services: expect.arrayContaining([
          { id: haircutId, name: 'Haircut' },
          { id: colourId, name: 'Colour' },
        ]),
        workingHours: expect.objectContaining({ mon: '09:00-17:00', sun: '09:00-17:00' }),
      });
    });

    it('should book a free time, take it out of availability, put it on the lead timeline and publish it', async () => {
      const before = (await tool('GET', `availability?serviceId=${haircutId}&date=${date}`)).json();
      expect(before).toMatchObject({ date, timezone: 'Europe/London', service: { id: haircutId, name: 'Haircut', durationMinutes: 30 } });
      expect(before.slots[0]).toEqual({
        time: '09:00',
        startTime: expect.stringMatching(new RegExp(`^${date}T09:00:00\\+0[01]:00$`)),
        employees: [{ id: anna, name: 'Anna' }],
      });
      expect(before.slots.map((s: { time: string }) => s.time)).toContain('10:00');

      const phone = uniquePhoneNumber();
      const res = await tool('POST', 'appointments', booking({ customerPhone: phone, customerEmail: 'Jane@Example.com', notes: 'Short please' }));
      expect(res.statusCode).toBe(201);
      const booked = res.json();
      expect(booked).toEqual({
        appointment: {
          id: expect.any(String),
          service: 'Haircut',
          employee: 'Anna',
          when: expect.stringMatching(/ at 10:00$/),
          startTime: expect.stringMatching(new RegExp(`^${date}T10:00:00`)),
          durationMinutes: 30,
          customerName: 'Jane Doe',
        },
        message: expect.stringMatching(/^Booked Haircut with Anna on .* at 10:00\.$/),
      });

      const after = (await tool('GET', `availability?serviceId=${haircutId}&date=${date}`)).json();
      expect(after.slots.map((s: { time: string }) => s.time)).not.toEqual(expect.arrayContaining(['09:45', '10:00', '10:15']));
      expect(after.slots.map((s: { time: string }) => s.time)).toEqual(expect.arrayContaining(['09:30', '10:30']));

      const [lead] = await t.dataSource.query('SELECT id, name, email FROM leads WHERE tenant_id = $1 AND phone_e164 = $2', [shop.id, phone]);
      expect(lead).toMatchObject({ name: 'Jane Doe', email: 'jane@example.com' });
      const timeline = await t.dataSource.query(`SELECT role, body, metadata->>'source' AS source FROM lead_messages WHERE lead_id = $1`, [lead.id]);
      expect(timeline).toEqual([
        { role: 'system', body: expect.stringMatching(/^Appointment booked: Haircut with Anna on .* at 10:00 \(30 min\)\.$/), source: 'appointment' },
      ]);
      await waitFor(() => events.some((e) => e.type === 'appointment.booked' && e.leadId === lead.id && e.data.appointmentId === booked.appointment.id));

      const mine = (await tool('GET', `appointments?customerPhone=${encodeURIComponent(phone)}`)).json();
      expect(mine.appointments.map((x: { id: string }) => x.id)).toEqual([booked.appointment.id]);
      expect((await tool('GET', `appointments?customerPhone=${encodeURIComponent(uniquePhoneNumber())}`)).json()).toEqual({
        appointments: [],
        message: 'This caller has no upcoming appointments.',
      });
    });

    it('should let exactly one of many simultaneous bookings of a time win, and free it again on cancel', async () => {
      const start = `${date}T14:00`;
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => tool('POST', 'appointments', booking({ startTime: start, customerName: `Caller ${i}` }))),
      );
      const statuses = results.map((r) => r.statusCode).sort();
      expect(statuses).toEqual([201, ...Array(9).fill(409)]);
      const loser = results.find((r) => r.statusCode === 409)!.json();
      expect(loser).toMatchObject({ code: 'SLOT_TAKEN', message: expect.stringContaining('Anna is no longer free at that time') });
      const winner = results.find((r) => r.statusCode === 201)!.json().appointment.id;
      expect((await t.dataSource.query('SELECT count(*)::int AS n FROM appointment_slots WHERE appointment_id = $1', [winner]))[0].n).toBe(6);

      // Overlapping, not identical, times are refused by the same constraint.
      expect((await tool('POST', 'appointments', booking({ startTime: `${date}T14:20` }))).statusCode).toBe(409);
      expect((await tool('POST', 'appointments', booking({ startTime: `${date}T13:45` }))).statusCode).toBe(409);
      expect((await tool('POST', 'appointments', booking({ startTime: `${date}T13:30` }))).statusCode).toBe(201);

      const cancelled = await t.api('POST', `/api/scheduling/appointments/${winner}/cancel`, undefined, shop.apiKey);
      expect(cancelled.statusCode).toBe(200);
      expect(cancelled.json().status).toBe('cancelled');
      expect((await t.api('POST', `/api/scheduling/appointments/${winner}/cancel`, undefined, shop.apiKey)).statusCode).toBe(409);
      expect((await tool('POST', 'appointments', booking({ startTime: start }))).statusCode).toBe(201);
      const listed = (await t.api('GET', `/api/scheduling/appointments?from=${date}T00:00:00Z&status=booked`, undefined, shop.apiKey)).json();
      expect(listed.map((x: { startAt: string }) => x.startAt.slice(11, 16))).toEqual(expect.arrayContaining(['13:30', '14:00']));
    });

    it.each([
      ['a past time', () => booking({ startTime: '2020-01-06T10:00' }), 400, 'TIME_IN_PAST', 'already passed'],
      ['an unknown service', () => booking({ serviceId: 'haircut' }), 404, 'SERVICE_NOT_FOUND', "couldn't find that service"],
      [
        'an unknown employee',
        () => booking({ employeeId: '00000000-0000-4000-8000-000000000000' }),
        404,
        'EMPLOYEE_NOT_FOUND',
        "couldn't find that member of staff",
      ],
      ['someone who does not do the service', () => booking({ employeeId: ben }), 400, 'SERVICE_NOT_OFFERED', 'Ben does not do Haircut'],
      ['a time outside working hours', () => booking({ startTime: `${date}T08:00` }), 400, 'OUTSIDE_WORKING_HOURS', 'Anna is not working at that time'],
      ['a time off the 5-minute grid', () => booking({ startTime: `${date}T11:02` }), 400, 'TIME_OFF_GRID', '5-minute steps'],
      ['an unreadable time', () => booking({ startTime: 'next tuesday' }), 400, 'INVALID_TIME', 'must look like'],
      ['a bad phone number', () => booking({ customerPhone: '12345' }), 400, 'INVALID_CUSTOMER', 'international format'],
    ])('should refuse %s with a sentence the agent can say', async (_name, body, status, code, sentence) => {
      const res = await tool('POST', 'appointments', body());
      expect(res.statusCode).toBe(status);
      expect(res.json()).toMatchObject({ code, message: expect.stringContaining(sentence) });
    });

    it('should refuse availability for a past or malformed date, and an unknown service, with sentences', async () => {
      const ask = (query: string) => tool('GET', `availability?${query}`);
      expect((await ask(`serviceId=${haircutId}&date=2020-01-01`)).json()).toMatchObject({
        code: 'TIME_IN_PAST',
        message: expect.stringContaining('That date has passed'),
      });
      expect((await ask(`serviceId=${haircutId}&date=tomorrow`)).json()).toMatchObject({ code: 'INVALID_DATE' });
      expect((await ask(`serviceId=nope&date=${date}`)).statusCode).toBe(404);
      expect((await ask(`serviceId=${colourId}&date=${date}&employeeId=${ben}`)).statusCode).toBe(200);
    });

    it('should refuse tool calls for a suspended tenant', async () => {
      expect((await t.api('POST', `/api/tenants/${shop.id}/suspend`)).statusCode).toBe(200);
      expect((await tool('GET', 'services')).statusCode).toBe(403);
      expect((await t.api('POST', `/api/tenants/${shop.id}/activate`)).statusCode).toBe(200);
      expect((await tool('GET', 'services')).statusCode).toBe(200);
    });
  });
});
