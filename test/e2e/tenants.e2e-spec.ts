import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTenant, uniquePhoneNumber } from '../factories/tenant.factory.js';
import { createTestApp, type TestApp } from '../support/app.factory.js';

describe('Tenants admin API', () => {
  let t: TestApp;
  const count = async (table: string, where = 'true', params: unknown[] = []) =>
    Number((await t.dataSource.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params))[0].n);

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('POST /api/tenants', () => {
    it('should create a tenant with a derived slug and defaults', async () => {
      const name = `Acme Plumbing ${Date.now()}`;
      const res = await t.api('POST', '/api/tenants', { name, settings: { agent: { agentId: 'agent_1' }, handoffNumber: '+1 (415) 555-0100' } });
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body).toMatchObject({ name, status: 'active', timezone: 'UTC', settings: { agent: { agentId: 'agent_1' } } });
      expect(body.slug).toMatch(/^acme-plumbing-\d+$/);
      expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('should answer 409 and write nothing when the slug is taken', async () => {
      const tenant = await createTenant(t);
      const before = await count('tenants');
      const res = await t.api('POST', '/api/tenants', { name: 'Other', slug: tenant.slug });
      expect(res.statusCode).toBe(409);
      expect(res.json().message).toContain('already taken');
      expect(await count('tenants')).toBe(before);
    });

    it.each([
      ['an unknown field', { name: 'X', plan: 'gold' }, 'plan'],
      ['a missing name', { slug: 'no-name' }, 'name'],
      ['a bad slug', { name: 'X', slug: 'Bad Slug!' }, 'slug'],
      ['a bad timezone', { name: 'X', timezone: 'Mars/Olympus' }, 'timezone'],
      ['an unknown nested setting', { name: 'X', settings: { agent: { agentId: 'a', temperature: 2 } } }, 'settings.agent.temperature'],
      ['an invalid hand-off number', { name: 'X', settings: { handoffNumber: '12' } }, 'settings.handoffNumber'],
      [
        'a bad business-hours time',
        { name: 'X', settings: { businessHours: { mon: [{ open: '9am', close: '17:00' }] } } },
        'settings.businessHours.mon.0.open',
      ],
    ])('should answer 400 naming the field for %s, and write nothing', async (_case, body, field) => {
      const before = await count('tenants');
      const res = await t.api('POST', '/api/tenants', body);
      expect(res.statusCode).toBe(400);
      expect(res.json().details.map((e: { field: string }) => e.field)).toContain(field);
      expect(await count('tenants')).toBe(before);
    });

    it('should answer 400 for a malformed JSON body', async () => {
      const res = await t.inject({
        method: 'POST',
        url: '/api/tenants',
        headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json' },
        payload: '{"name": ',
      });
      expect(res.statusCode).toBe(400);
    });

    it('should refuse a tenant key (admin only)', async () => {
      const tenant = await createTenant(t);
      const res = await t.api('POST', '/api/tenants', { name: 'Sneaky' }, tenant.apiKey);
      expect(res.statusCode).toBe(403);
    });
  });

  describe('GET /api/tenants', () => {
    it('should page through tenants with a cursor, newest first', async () => {
      await createTenant(t);
      await createTenant(t);
      await createTenant(t);
      const first = await t.api('GET', '/api/tenants?limit=2');
      expect(first.statusCode).toBe(200);
      expect(first.json().items).toHaveLength(2);
      const second = await t.api('GET', `/api/tenants?limit=2&cursor=${first.json().nextCursor}`);
      const ids = [...first.json().items, ...second.json().items].map((x: { id: string }) => x.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(await t.api('GET', '/api/tenants?cursor=garbage').then((r) => r.statusCode)).toBe(400);
    });
  });

  describe('PATCH /api/tenants/:id', () => {
    it('should merge settings one level deep and let the tenant update itself', async () => {
      const tenant = await createTenant(t, { settings: { agent: { agentId: 'agent_a' }, quotas: { maxConcurrentCalls: 2 } } });
      const res = await t.api('PATCH', `/api/tenants/${tenant.id}`, { settings: { quotas: { maxConcurrentCalls: 5 } } }, tenant.apiKey);
      expect(res.statusCode).toBe(200);
      expect(res.json().settings).toEqual({ agent: { agentId: 'agent_a' }, quotas: { maxConcurrentCalls: 5 } });
    });
  });

  describe('lead-scoring keywords', () => {
    it('should accept a keyword vocabulary and refuse a malformed one, naming the field', async () => {
      const tenant = await createTenant(t);
      const ok = await t.api(
        'PATCH',
        `/api/tenants/${tenant.id}`,
        { settings: { keywords: { interests: { boiler_repair: ['boiler', 'combi'] }, negative: ['rubbish'] } } },
        tenant.apiKey,
      );
      expect(ok.statusCode).toBe(200);
      expect(ok.json().settings.keywords.interests.boiler_repair).toEqual(['boiler', 'combi']);
      for (const keywords of [{ interests: { 'Bad Label': ['x'] } }, { intents: { fly: ['x'] } }, { colours: ['red'] }, { positive: 'great' }]) {
        const bad = await t.api('PATCH', `/api/tenants/${tenant.id}`, { settings: { keywords } }, tenant.apiKey);
        expect(bad.statusCode).toBe(400);
        expect(bad.json().details[0].field).toBe('settings.keywords');
      }
    });
  });

  describe('suspend and activate', () => {
    it("should stop a suspended tenant's keys until it is activated again", async () => {
      const tenant = await createTenant(t);
      expect((await t.api('POST', `/api/tenants/${tenant.id}/suspend`)).json().status).toBe('suspended');
      expect((await t.api('GET', `/api/tenants/${tenant.id}`, undefined, tenant.apiKey)).statusCode).toBe(403);
      expect((await t.api('POST', `/api/tenants/${tenant.id}/activate`)).json().status).toBe('active');
      expect((await t.api('GET', `/api/tenants/${tenant.id}`, undefined, tenant.apiKey)).statusCode).toBe(200);
    });
  });

  describe('API keys', () => {
    it('should show the key once, list it without the secret, and stop it working once revoked', async () => {
      const tenant = await createTenant(t);
      const created = await t.api('POST', `/api/tenants/${tenant.id}/api-keys`, { name: 'dashboard' });
      expect(created.statusCode).toBe(201);
      const { id, key } = created.json();
      expect(key).toMatch(/^sb_live_/);

      const list = await t.api('GET', `/api/tenants/${tenant.id}/api-keys`, undefined, key);
      expect(list.statusCode).toBe(200);
      expect(JSON.stringify(list.json())).not.toContain(key);
      const stored = await t.dataSource.query('SELECT key_hash FROM tenant_api_keys WHERE id = $1', [id]);
      expect(stored[0].key_hash).not.toContain(key);

      expect((await t.api('DELETE', `/api/tenants/${tenant.id}/api-keys/${id}`)).statusCode).toBe(204);
      const refused = await t.api('GET', `/api/tenants/${tenant.id}`, undefined, key);
      expect(refused.statusCode).toBe(401);
      expect(refused.json().message).toBe('Invalid or revoked API key');
    });

    it('should answer 401 for a missing or unknown key and audit the refusal', async () => {
      expect((await t.inject({ method: 'GET', url: '/api/tenants' })).statusCode).toBe(401);
      const res = await t.api('GET', '/api/tenants', undefined, 'sb_live_not-a-real-key');
      expect(res.statusCode).toBe(401);
      const requestId = res.headers['x-request-id'];
      let rows: Array<{ outcome: string; action: string }> = [];
      for (let i = 0; i < 20 && rows.length === 0; i++) {
        rows = await t.dataSource.query('SELECT outcome, action FROM audit_logs WHERE request_id = $1', [requestId]);
        if (rows.length === 0) await new Promise((r) => setTimeout(r, 50));
      }
      expect(rows).toEqual([{ outcome: 'denied', action: 'auth.rejected' }]);
    });
  });

  describe('phone numbers', () => {
    it('should store a number as E.164 (admin only) and list it to the tenant', async () => {
      const tenant = await createTenant(t);
      const number = uniquePhoneNumber();
      const formatted = `${number.slice(0, 2)} (${number.slice(2, 5)}) ${number.slice(5, 8)}-${number.slice(8)}`;
      expect((await t.api('POST', `/api/tenants/${tenant.id}/phone-numbers`, { phoneNumber: number }, tenant.apiKey)).statusCode).toBe(403);
      const res = await t.api('POST', `/api/tenants/${tenant.id}/phone-numbers`, { phoneNumber: formatted, capabilities: { sms: true } });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ phoneNumber: number, capabilities: { voice: true, sms: true, whatsapp: false } });
      const list = await t.api('GET', `/api/tenants/${tenant.id}/phone-numbers`, undefined, tenant.apiKey);
      expect(list.json().map((n: { phoneNumber: string }) => n.phoneNumber)).toEqual([number]);
    });

    it.each(['12', '+1 555 CALL NOW', '+15551234567', ''])('should refuse %p with 400 and write nothing', async (phoneNumber) => {
      const tenant = await createTenant(t);
      const res = await t.api('POST', `/api/tenants/${tenant.id}/phone-numbers`, { phoneNumber });
      expect(res.statusCode).toBe(400);
      expect(res.json().details[0].field).toBe('phoneNumber');
      expect(await count('phone_numbers', 'tenant_id = $1', [tenant.id])).toBe(0);
    });

    it('should refuse a number another tenant already has with 409', async () => {
      const a = await createTenant(t);
      const b = await createTenant(t);
      const number = uniquePhoneNumber();
      expect((await t.api('POST', `/api/tenants/${a.id}/phone-numbers`, { phoneNumber: number })).statusCode).toBe(201);
      const res = await t.api('POST', `/api/tenants/${b.id}/phone-numbers`, { phoneNumber: number });
      expect(res.statusCode).toBe(409);
      expect(await count('phone_numbers', 'tenant_id = $1', [b.id])).toBe(0);
    });

    it('should delete a number', async () => {
      const tenant = await createTenant(t);
      const created = (await t.api('POST', `/api/tenants/${tenant.id}/phone-numbers`, { phoneNumber: uniquePhoneNumber() })).json();
      expect((await t.api('DELETE', `/api/tenants/${tenant.id}/phone-numbers/${created.id}`)).statusCode).toBe(204);
      expect((await t.api('DELETE', `/api/tenants/${tenant.id}/phone-numbers/${created.id}`)).statusCode).toBe(404);
    });
  });

  describe('audit log', () => {
    it('should record who created what, with the request id', async () => {
      const res = await t.api('POST', '/api/tenants', { name: `Audited ${Date.now()}` });
      const rows = await t.dataSource.query('SELECT actor_type, action, resource_id, tenant_id, outcome, status_code FROM audit_logs WHERE request_id = $1', [
        res.headers['x-request-id'],
      ]);
      expect(rows).toEqual([
        { actor_type: 'admin', action: 'tenant.create', resource_id: res.json().id, tenant_id: res.json().id, outcome: 'success', status_code: 201 },
      ]);
    });
  });
});
