import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { TwilioCallSimulator } from '../simulators/twilio/index.js';
import { createTenant, type CreatedTenant, uniquePhoneNumber } from '../factories/tenant.factory.js';
import { createTestApp, type TestApp } from '../support/app.factory.js';
import { TEST_ENV } from '../setup/test-env.js';

// The admin side of calls: listing and reading calls (tenant-scoped, cursor-paginated), daily
// usage with quotas, and the tenant's own provider credentials. Calls are made through the real
// webhooks with the Twilio simulator.

const PLATFORM = { accountSid: TEST_ENV.TWILIO_ACCOUNT_SID, authToken: TEST_ENV.TWILIO_AUTH_TOKEN };

describe('Calls, usage and tenant credentials (admin API)', () => {
  let t: TestApp;
  let appBaseUrl: string;

  beforeAll(async () => {
    t = await createTestApp();
    appBaseUrl = await t.listen();
  });
  afterAll(async () => {
    await t?.close();
  });

  async function tenantWithNumber(settings: Record<string, unknown> = {}): Promise<{ tenant: CreatedTenant; number: string }> {
    const tenant = await createTenant(t, { settings: { agent: { agentId: 'agent_main' }, ...settings } });
    const number = uniquePhoneNumber();
    expect((await t.api('POST', `/api/tenants/${tenant.id}/phone-numbers`, { phoneNumber: number })).statusCode).toBe(201);
    return { tenant, number };
  }

  async function placeCall(to: string, from = uniquePhoneNumber(), seconds?: number): Promise<{ callSid: string; callId: string }> {
    const call = new TwilioCallSimulator({ appBaseUrl, publicBaseUrl: TEST_ENV.PUBLIC_BASE_URL, ...PLATFORM, from, to });
    const res = await call.sendVoiceWebhook();
    expect(res.status).toBe(200);
    if (seconds !== undefined) {
      await call.sendStatusCallback('in-progress');
      expect((await call.sendStatusCallback('completed', { CallDuration: String(seconds) })).status).toBe(204);
    }
    return { callSid: call.callSid, callId: res.twiml!.connect!.stream!.parameters.callId };
  }

  describe('GET /api/calls', () => {
    it("should list only the tenant's own calls, newest first, across cursor pages", async () => {
      const { tenant, number } = await tenantWithNumber();
      const other = await tenantWithNumber();
      const mine: string[] = [];
      for (let i = 0; i < 5; i++) mine.push((await placeCall(number)).callId);
      await placeCall(other.number);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await t.api('GET', `/api/calls?limit=2${cursor ? `&cursor=${cursor}` : ''}`, undefined, tenant.apiKey);
        expect(res.statusCode).toBe(200);
        const page = res.json();
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((c: { id: string }) => c.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual([...mine].reverse());
    });

    it('should filter by status, lead and date', async () => {
      const { tenant, number } = await tenantWithNumber();
      const from = uniquePhoneNumber();
      const done = await placeCall(number, from, 20);
      const live = await placeCall(number);
      const list = async (query: string) => (await t.api('GET', `/api/calls?${query}`, undefined, tenant.apiKey)).json().items.map((c: { id: string }) => c.id);

      expect(await list('status=completed')).toEqual([done.callId]);
      expect(await list('status=ringing')).toEqual([live.callId]);
      const [{ lead_id: leadId }] = await t.dataSource.query(`SELECT lead_id FROM calls WHERE id = $1`, [done.callId]);
      expect(await list(`leadId=${leadId}`)).toEqual([done.callId]);
      expect(await list(`from=${new Date(Date.now() + 60_000).toISOString()}`)).toEqual([]);
      expect((await list(`from=${new Date(Date.now() - 60_000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`)).sort()).toEqual(
        [done.callId, live.callId].sort(),
      );
      expect((await t.api('GET', '/api/calls?status=exploded', undefined, tenant.apiKey)).statusCode).toBe(400);
      expect((await t.api('GET', '/api/calls?from=yesterday', undefined, tenant.apiKey)).statusCode).toBe(400);
    });

    it('should make the admin name a tenant, and keep tenants apart', async () => {
      const { tenant, number } = await tenantWithNumber();
      const other = await tenantWithNumber();
      const { callId } = await placeCall(number);
      expect((await t.api('GET', '/api/calls')).statusCode).toBe(400);
      expect((await t.api('GET', `/api/calls?tenantId=${tenant.id}`)).json().items.map((c: { id: string }) => c.id)).toEqual([callId]);
      expect((await t.api('GET', `/api/calls?tenantId=${tenant.id}`, undefined, other.tenant.apiKey)).statusCode).toBe(404);
    });
  });

  describe('GET /api/calls/:id', () => {
    it('should return the call with its status history, and 404 to another tenant', async () => {
      const { tenant, number } = await tenantWithNumber();
      const other = await tenantWithNumber();
      const { callId, callSid } = await placeCall(number, uniquePhoneNumber(), 33);
      const res = await t.api('GET', `/api/calls/${callId}`, undefined, tenant.apiKey);
      expect(res.statusCode).toBe(200);
      const call = res.json();
      expect(call).toMatchObject({
        id: callId,
        tenantId: tenant.id,
        twilioCallSid: callSid,
        status: 'completed',
        durationSecs: 33,
        direction: 'inbound',
        routingMode: 'bridge',
      });
      expect(call.statusHistory.map((h: { status: string }) => h.status)).toEqual(['ringing', 'in-progress', 'completed']);
      expect(call.statusHistory[2].details).toMatchObject({ callDuration: 33 });

      const foreign = await t.api('GET', `/api/calls/${callId}`, undefined, other.tenant.apiKey);
      expect(foreign.statusCode).toBe(404);
      expect(foreign.json().message).toBe('Call not found');
      expect((await t.api('GET', `/api/calls/${callId}`)).statusCode).toBe(200); // the admin
      expect((await t.api('GET', `/api/calls/00000000-0000-4000-8000-000000000000`, undefined, tenant.apiKey)).statusCode).toBe(404);
      expect((await t.api('GET', '/api/calls/not-a-uuid', undefined, tenant.apiKey)).statusCode).toBe(400);
    });
  });

  describe('GET /api/usage', () => {
    it('should report daily rows, totals, quotas and what is left this month', async () => {
      const { tenant, number } = await tenantWithNumber({ quotas: { monthlyVoiceMinutes: 10, maxConcurrentCalls: 3 } });
      await placeCall(number, uniquePhoneNumber(), 61);
      await placeCall(number, uniquePhoneNumber(), 30);
      await placeCall(number); // still ringing
      const res = await t.api('GET', '/api/usage', undefined, tenant.apiKey);
      expect(res.statusCode).toBe(200);
      const usage = res.json();
      const today = new Date().toISOString().slice(0, 10);
      expect(usage.days).toEqual([expect.objectContaining({ day: today, inboundCalls: 3, inboundSeconds: 91, outboundCalls: 0 })]);
      expect(usage.totals).toMatchObject({ inboundCalls: 3, inboundSeconds: 91 });
      expect(usage.quotas).toEqual({ maxConcurrentCalls: 3, monthlyVoiceMinutes: 10, monthlySmsSegments: null, monthlyOutboundCalls: null });
      expect(usage.month).toMatchObject({ start: `${today.slice(0, 7)}-01`, voiceSeconds: 91, voiceMinutes: 2, activeCalls: 1 });
      expect(usage.remaining).toEqual({ voiceMinutes: 8, smsSegments: null, outboundCalls: null, concurrentCalls: 2 });
    });

    it('should take a range, refuse bad ones, and scope by tenant', async () => {
      const { tenant } = await tenantWithNumber();
      const empty = await t.api('GET', '/api/usage?from=2020-01-01&to=2020-01-31', undefined, tenant.apiKey);
      expect(empty.json()).toMatchObject({ from: '2020-01-01', to: '2020-01-31', days: [], totals: { inboundCalls: 0, inboundSeconds: 0, aiCost: '0' } });
      for (const query of ['from=2020-13-01', 'from=2020-02-01&to=2020-01-01', 'from=2020-01-01&to=2022-01-01']) {
        const res = await t.api('GET', `/api/usage?${query}`, undefined, tenant.apiKey);
        expect({ query, status: res.statusCode }).toEqual({ query, status: 400 });
      }
      expect((await t.api('GET', `/api/usage?tenantId=${tenant.id}`)).statusCode).toBe(200);
      expect((await t.api('GET', '/api/usage')).statusCode).toBe(400);
      const other = await tenantWithNumber();
      expect((await t.api('GET', `/api/usage?tenantId=${tenant.id}`, undefined, other.tenant.apiKey)).statusCode).toBe(404);
    });
  });

  describe('tenant credentials', () => {
    const twilioCreds = () => ({ accountSid: 'AC' + randomBytes(16).toString('hex'), authToken: randomBytes(16).toString('hex') });

    it('should store Twilio credentials encrypted, never return them, audit the change and allow removal', async () => {
      const { tenant } = await tenantWithNumber();
      const creds = twilioCreds();
      const put = await t.api('PUT', `/api/tenants/${tenant.id}/twilio-credentials`, creds);
      expect(put.statusCode).toBe(204);
      const [row] = await t.dataSource.query(`SELECT twilio_account_sid, twilio_auth_token_enc FROM tenants WHERE id = $1`, [tenant.id]);
      expect(row.twilio_account_sid).toBe(creds.accountSid);
      expect(row.twilio_auth_token_enc).not.toContain(creds.authToken);
      const got = await t.api('GET', `/api/tenants/${tenant.id}`);
      expect(got.body).not.toContain(creds.authToken);
      const audit = await t.dataSource.query(`SELECT action, outcome, tenant_id, details FROM audit_logs WHERE request_id = $1`, [put.headers['x-request-id']]);
      expect(audit).toEqual([expect.objectContaining({ action: 'tenant.twilio_credentials.set', outcome: 'success', tenant_id: tenant.id })]);
      expect(JSON.stringify(audit)).not.toContain(creds.authToken);

      expect((await t.api('DELETE', `/api/tenants/${tenant.id}/twilio-credentials`)).statusCode).toBe(204);
      const [cleared] = await t.dataSource.query(`SELECT twilio_account_sid, twilio_auth_token_enc FROM tenants WHERE id = $1`, [tenant.id]);
      expect(cleared).toEqual({ twilio_account_sid: null, twilio_auth_token_enc: null });
    });

    it('should refuse bad formats, a tenant key, an unknown tenant and an account already linked elsewhere', async () => {
      const { tenant } = await tenantWithNumber();
      const other = await tenantWithNumber();
      const creds = twilioCreds();
      for (const body of [{ ...creds, accountSid: 'AB123' }, { ...creds, authToken: 'short' }, { accountSid: creds.accountSid }]) {
        expect((await t.api('PUT', `/api/tenants/${tenant.id}/twilio-credentials`, body)).statusCode).toBe(400);
      }
      expect((await t.api('PUT', `/api/tenants/${tenant.id}/twilio-credentials`, creds, tenant.apiKey)).statusCode).toBe(403);
      expect((await t.api('PUT', `/api/tenants/00000000-0000-4000-8000-000000000000/twilio-credentials`, creds)).statusCode).toBe(404);
      expect((await t.api('PUT', `/api/tenants/${tenant.id}/twilio-credentials`, creds)).statusCode).toBe(204);
      expect((await t.api('PUT', `/api/tenants/${other.tenant.id}/twilio-credentials`, creds)).statusCode).toBe(409);
    });

    it('should store an ElevenLabs key encrypted and remove it', async () => {
      const { tenant } = await tenantWithNumber();
      const apiKey = `sk_${randomBytes(20).toString('hex')}`;
      expect((await t.api('PUT', `/api/tenants/${tenant.id}/elevenlabs-credentials`, { apiKey: 'short' })).statusCode).toBe(400);
      expect((await t.api('PUT', `/api/tenants/${tenant.id}/elevenlabs-credentials`, { apiKey }, tenant.apiKey)).statusCode).toBe(403);
      expect((await t.api('PUT', `/api/tenants/${tenant.id}/elevenlabs-credentials`, { apiKey })).statusCode).toBe(204);
      const [row] = await t.dataSource.query(`SELECT elevenlabs_api_key_enc FROM tenants WHERE id = $1`, [tenant.id]);
      expect(row.elevenlabs_api_key_enc).toBeTruthy();
      expect(row.elevenlabs_api_key_enc).not.toContain(apiKey);
      expect((await t.api('GET', `/api/tenants/${tenant.id}`)).body).not.toContain(apiKey);
      expect((await t.api('DELETE', `/api/tenants/${tenant.id}/elevenlabs-credentials`)).statusCode).toBe(204);
      const [cleared] = await t.dataSource.query(`SELECT elevenlabs_api_key_enc FROM tenants WHERE id = $1`, [tenant.id]);
      expect(cleared.elevenlabs_api_key_enc).toBeNull();
    });
  });
});
