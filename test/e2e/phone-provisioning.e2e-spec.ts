// State, rollback and compensation scenarios against the in-repo stateful Twilio fake (it keeps
// numbers between calls, answers with Twilio's error JSON and injects faults), with the database
// checked after each. The wire format itself is checked against Twilio's spec in
// phone-provisioning-prism.e2e-spec.ts.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { ADVISORY_LOCK } from '../../src/database/advisory-lock.js';
import { NumberConfigurator } from '../../src/modules/phone-provisioning/number-configurator.service.js';
import { WebhookSyncService } from '../../src/modules/phone-provisioning/webhook-sync.service.js';
import { EVENT_BUS, type EventBus, type RealtimeEvent } from '../../src/modules/realtime/event-bus.port.js';
import { PhoneNumbersService } from '../../src/modules/tenants/phone-numbers.service.js';
import { createTenant, type CreatedTenant, uniquePhoneNumber } from '../factories/tenant.factory.js';
import { TEST_ENV } from '../setup/test-env.js';
import { FakeTwilioApi } from '../simulators/twilio/index.js';
import { createTestApp, type TestApp } from '../support/app.factory.js';

const BASE = TEST_ENV.PUBLIC_BASE_URL;
const OURS = {
  voice_url: `${BASE}/api/webhooks/twilio/voice`,
  voice_fallback_url: `${BASE}/api/webhooks/twilio/voice/fallback`,
  status_callback: `${BASE}/api/webhooks/twilio/voice/status`,
  sms_url: `${BASE}/api/webhooks/twilio/sms`,
  sms_fallback_url: `${BASE}/api/webhooks/twilio/sms/fallback`,
};
// What a number looks like before we touch it: someone else's voice app and CRM SMS hook.
const FOREIGN = { voiceUrl: 'https://old.example.org/voice', smsUrl: 'https://crm.example.org/sms' };
const TWILIO_REFUSAL = { status: 400, code: 21402, message: 'VoiceUrl is not valid' };
const TIMEOUT_MS = 1_000;
const onPostgres = process.env.DATABASE_URL ? it : it.skip;

describe('Phone-number provisioning: state, rollback and compensation (stateful Twilio fake)', () => {
  let fake: FakeTwilioApi;
  let t: TestApp;
  const alerts: RealtimeEvent[] = [];

  const seed = () => {
    const e164 = uniquePhoneNumber();
    const sid = fake.addNumber({ phoneNumber: e164, ...FOREIGN }).sid as string;
    return { e164, sid };
  };
  const row = async (e164: string) => (await t.dataSource.query('SELECT * FROM phone_numbers WHERE e164 = $1', [e164]))[0];
  const twilioState = (sid: string) => {
    const n = fake.getNumber(sid)!;
    return {
      voice_url: n.voice_url,
      voice_fallback_url: n.voice_fallback_url,
      status_callback: n.status_callback,
      sms_url: n.sms_url,
      sms_fallback_url: n.sms_fallback_url,
    };
  };
  const updatesOf = (sid: string) => fake.requestsFor('incomingPhoneNumbers.update').filter((r) => r.path.includes(sid));
  const auditFor = (requestId: unknown) =>
    t.dataSource.query('SELECT action, outcome, status_code, tenant_id, details FROM audit_logs WHERE request_id = $1', [requestId]);
  const assign = (body: object, key?: string) => t.api('POST', '/api/phone-numbers/assign', body, key);
  const register = async (tenant: CreatedTenant, e164: string, twilioSid?: string) => {
    const res = await t.api('POST', `/api/tenants/${tenant.id}/phone-numbers`, { phoneNumber: e164, ...(twilioSid ? { twilioSid } : {}) });
    expect(res.statusCode).toBe(201);
    return res.json().id as string;
  };

  beforeAll(async () => {
    fake = await FakeTwilioApi.start({ accounts: { [TEST_ENV.TWILIO_ACCOUNT_SID]: TEST_ENV.TWILIO_AUTH_TOKEN } });
    t = await createTestApp({ TWILIO_API_BASE_URL: fake.baseUrl, TWILIO_PROVISIONING_TIMEOUT_MS: String(TIMEOUT_MS), WEBHOOK_DRIFT_CHECK_INTERVAL_MS: '0' });
    t.app.get<symbol, EventBus>(EVENT_BUS).subscribe((e) => e.type === 'alert' && alerts.push(e));
  });
  afterEach(() => fake.clearFaults());
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  describe('assign', () => {
    it("should configure Twilio's number, leave someone else's SMS URL alone, then follow SMS on and off", async () => {
      const tenant = await createTenant(t);
      const { e164, sid } = seed();
      const res = await assign({ phoneNumber: e164, tenantId: tenant.id });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ tenantId: tenant.id, twilioSid: sid, updatedFields: ['voiceUrl', 'voiceFallbackUrl', 'statusCallback'] });
      expect(twilioState(sid)).toEqual({ ...OURS, sms_url: FOREIGN.smsUrl, sms_fallback_url: '' });
      expect(Object.keys(updatesOf(sid)[0].form).sort()).toEqual(['StatusCallback', 'VoiceFallbackUrl', 'VoiceUrl']);
      expect(await row(e164)).toMatchObject({ tenant_id: tenant.id, twilio_sid: sid, sms_enabled: false, status: 'active' });

      const smsOn = await assign({ phoneNumber: e164, tenantId: tenant.id, enableSms: true, agentId: 'agent_sales' });
      expect(smsOn.json()).toMatchObject({ updatedFields: ['smsUrl', 'smsFallbackUrl'], agentId: 'agent_sales', capabilities: { sms: true } });
      expect(twilioState(sid)).toEqual(OURS);

      const smsOff = await assign({ phoneNumber: e164, tenantId: tenant.id, enableSms: false });
      expect(smsOff.json()).toMatchObject({ updatedFields: ['smsUrl', 'smsFallbackUrl'], agentId: 'agent_sales' });
      expect(twilioState(sid)).toEqual({ ...OURS, sms_url: '', sms_fallback_url: '' });

      const nothing = await assign({ phoneNumber: e164, tenantId: tenant.id }, tenant.apiKey);
      expect(nothing.json().updatedFields).toEqual([]);
      expect(updatesOf(sid)).toHaveLength(3);
    });

    it("should refuse a tenant key a number of the platform's Twilio account, writing nothing", async () => {
      const tenant = await createTenant(t);
      const { e164, sid } = seed();
      const res = await assign({ phoneNumber: e164 }, tenant.apiKey);
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('PLATFORM_NUMBER');
      expect(await row(e164)).toBeUndefined();
      expect(updatesOf(sid)).toHaveLength(0);
    });

    it("should roll back and answer 502 with Twilio's code and message when Twilio refuses", async () => {
      const tenant = await createTenant(t);
      const { e164, sid } = seed();
      fake.failNext('incomingPhoneNumbers.update', TWILIO_REFUSAL);
      const res = await assign({ phoneNumber: e164, tenantId: tenant.id, enableSms: true });
      expect(res.statusCode).toBe(502);
      expect(res.json()).toMatchObject({ code: 'TWILIO_ERROR', twilio: { status: 400, code: 21402, message: 'VoiceUrl is not valid' } });
      expect(res.json().message).toContain('21402');
      expect(await row(e164)).toBeUndefined();
      expect(twilioState(sid)).toMatchObject({ voice_url: FOREIGN.voiceUrl, sms_url: FOREIGN.smsUrl });
      const rows = await auditFor(res.headers['x-request-id']);
      expect(rows).toHaveLength(1);
      const [audit] = rows;
      expect(audit).toMatchObject({ action: 'phone_number.assign', outcome: 'failure', status_code: 502, tenant_id: tenant.id });
      expect(audit.details.error).toMatchObject({ code: 'TWILIO_ERROR', twilio: { code: 21402 } });
    });

    it('should roll back on a Twilio timeout, then undo the update that landed late', async () => {
      const tenant = await createTenant(t);
      const { e164, sid } = seed();
      const numberId = await register(tenant, e164);
      fake.delayNext('incomingPhoneNumbers.update', TIMEOUT_MS * 2.5);
      const started = Date.now();
      const res = await assign({ phoneNumberId: numberId, tenantId: tenant.id });
      expect(res.statusCode).toBe(502);
      expect(res.json()).toMatchObject({ code: 'TWILIO_TIMEOUT', compensation: 'pending' });
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 2.5);
      expect(await row(e164)).toMatchObject({ tenant_id: tenant.id, twilio_sid: null, webhook_config: null, webhooks_configured_at: null });

      await t.app.get(NumberConfigurator).idle();
      // The late update landed, then the previous configuration was put back.
      expect(updatesOf(sid).map((r) => r.form.VoiceUrl)).toEqual([OURS.voice_url, FOREIGN.voiceUrl]);
      expect(twilioState(sid)).toMatchObject({ voice_url: FOREIGN.voiceUrl, status_callback: '' });
      const reconcile = await t.dataSource.query(
        `SELECT outcome, details FROM audit_logs WHERE action = 'phone_number.assign.reconcile' AND details->>'twilioSid' = $1`,
        [sid],
      );
      expect(reconcile).toEqual([expect.objectContaining({ outcome: 'success', details: expect.objectContaining({ result: 'restored' }) })]);
    });

    it('should answer 409 for a number of another tenant or a suspended tenant, without touching Twilio', async () => {
      const owner = await createTenant(t);
      const other = await createTenant(t);
      const { e164, sid } = seed();
      expect((await assign({ phoneNumber: e164, tenantId: owner.id })).statusCode).toBe(200);
      const taken = await assign({ phoneNumber: e164, tenantId: other.id });
      expect(taken.statusCode).toBe(409);
      expect(taken.json().code).toBe('ASSIGNED_TO_ANOTHER_TENANT');
      expect((await row(e164)).tenant_id).toBe(owner.id);

      const suspended = await createTenant(t);
      await t.api('POST', `/api/tenants/${suspended.id}/suspend`);
      const fresh = seed();
      const refused = await assign({ phoneNumber: fresh.e164, tenantId: suspended.id });
      expect(refused.statusCode).toBe(409);
      expect(refused.json().code).toBe('TENANT_SUSPENDED');
      expect(await row(fresh.e164)).toBeUndefined();
      expect(updatesOf(sid)).toHaveLength(1);
      expect(updatesOf(fresh.sid)).toHaveLength(0);
    });

    // The embedded database's socket server mixes up the protocol messages of connections that
    // wait on another's transaction (pglite-socket queues per message), so concurrency is tested on PostgreSQL.
    onPostgres('should let exactly one of two concurrent assignments of a new number win', async () => {
      const [first, second] = [await createTenant(t), await createTenant(t)];
      const { e164, sid } = seed();
      const results = await Promise.all([assign({ phoneNumber: e164, tenantId: first.id }), assign({ phoneNumber: e164, tenantId: second.id })]);
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
      const winner = results.find((r) => r.statusCode === 200)!.json().tenantId;
      expect((await row(e164)).tenant_id).toBe(winner);
      expect(updatesOf(sid)).toHaveLength(1);
      expect(twilioState(sid).voice_url).toBe(OURS.voice_url);
    });
  });

  describe('compensation: our write fails after Twilio accepted', () => {
    // A stale row already holds the Twilio SID of the number being assigned: the database refuses
    // the write (UQ_phone_numbers_twilio_sid) only after Twilio has been configured.
    async function staleSidSetup() {
      const tenant = await createTenant(t);
      const { e164, sid } = seed();
      const numberId = await register(tenant, e164);
      const stale = await createTenant(t);
      const staleId = await register(stale, uniquePhoneNumber(), sid);
      return { tenant, e164, sid, numberId, stale, staleId };
    }

    it("should restore Twilio's previous configuration and change nothing here", async () => {
      const { tenant, e164, sid, numberId } = await staleSidSetup();
      const before = await row(e164);
      const res = await assign({ phoneNumberId: numberId, tenantId: tenant.id, enableSms: true });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ code: 'TWILIO_SID_IN_USE', compensation: 'restored' });
      expect(updatesOf(sid)).toHaveLength(2);
      expect(twilioState(sid)).toEqual({
        voice_url: FOREIGN.voiceUrl,
        voice_fallback_url: '',
        status_callback: '',
        sms_url: FOREIGN.smsUrl,
        sms_fallback_url: '',
      });
      expect(await row(e164)).toEqual(before);
      const [audit] = await auditFor(res.headers['x-request-id']);
      expect(audit).toMatchObject({ outcome: 'failure', status_code: 409, details: { compensation: 'restored' } });
      expect(audit.details.twilio.voiceUrl).toEqual({ from: FOREIGN.voiceUrl, to: OURS.voice_url });
      expect(alerts.filter((a) => a.tenantId === tenant.id)).toEqual([]);
    });

    it('should mark the number drifted and alert when restoring Twilio fails too, and recover with a reconfigure', async () => {
      const { tenant, e164, sid, numberId, stale, staleId } = await staleSidSetup();
      fake.failOnNth('incomingPhoneNumbers.update', 2, { status: 503, code: 20503, message: 'Service Unavailable' });
      const res = await assign({ phoneNumberId: numberId, tenantId: tenant.id });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ code: 'TWILIO_SID_IN_USE', compensation: 'failed' });
      expect(twilioState(sid).voice_url).toBe(OURS.voice_url); // applied, and the undo failed
      const drifted = await row(e164);
      expect(drifted).toMatchObject({ id: numberId, tenant_id: tenant.id, twilio_sid: null, status: 'drifted' });
      expect(drifted.drift).toMatchObject({ reason: 'compensation_failed', twilioSid: sid, fields: ['voiceUrl', 'voiceFallbackUrl', 'statusCallback'] });
      expect(alerts.filter((a) => a.tenantId === tenant.id)).toEqual([
        expect.objectContaining({
          type: 'alert',
          data: expect.objectContaining({ kind: 'phone_number.webhooks_drifted', phoneNumberId: numberId, reason: 'compensation_failed' }),
        }),
      ]);

      // An operator removes the stale record and reconfigures: the number is healthy again.
      expect((await t.api('DELETE', `/api/tenants/${stale.id}/phone-numbers/${staleId}`)).statusCode).toBe(204);
      const fixed = await t.api('POST', '/api/phone-numbers/webhooks', { phoneNumberId: numberId });
      expect(fixed.statusCode).toBe(200);
      expect(await row(e164)).toMatchObject({ twilio_sid: sid, status: 'active', drift: null });
    });
  });

  describe('unassign', () => {
    it('should clear our URLs on Twilio and stop routing the number; a refusal changes nothing', async () => {
      const tenant = await createTenant(t);
      const { e164, sid } = seed();
      const { id } = (await assign({ phoneNumber: e164, tenantId: tenant.id, enableWhatsApp: true })).json();
      expect(twilioState(sid)).toEqual(OURS);

      fake.failNext('incomingPhoneNumbers.update', TWILIO_REFUSAL);
      const refused = await t.api('DELETE', '/api/phone-numbers/assign', { phoneNumberId: id }, tenant.apiKey);
      expect(refused.statusCode).toBe(502);
      expect(refused.json().twilio).toMatchObject({ code: 21402 });
      expect(await row(e164)).toMatchObject({ tenant_id: tenant.id, status: 'active' });
      expect(twilioState(sid)).toEqual(OURS);
      fake.clearFaults();

      const res = await t.api('DELETE', '/api/phone-numbers/assign', { phoneNumberId: id }, tenant.apiKey);
      expect(res.statusCode).toBe(200);
      expect(twilioState(sid)).toEqual({ voice_url: '', voice_fallback_url: '', status_callback: '', sms_url: '', sms_fallback_url: '' });
      expect(await row(e164)).toMatchObject({ tenant_id: null, agent_id: null, whatsapp_enabled: true });
      expect(await t.app.get(PhoneNumbersService).findByE164(e164)).toBeNull();
    });
  });

  describe('resync', () => {
    it('should carry on when Twilio fails on the 2nd of 3 numbers and report it per number', async () => {
      const tenant = await createTenant(t);
      const numbers: Array<{ e164: string; sid: string; id: string }> = [];
      for (const n of [seed(), seed(), seed()]) numbers.push({ ...n, id: await register(tenant, n.e164, n.sid) });
      fake.failOnNth('incomingPhoneNumbers.update', 2, TWILIO_REFUSAL);
      const res = await t.api('PUT', '/api/phone-numbers/webhooks', { tenantId: tenant.id });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ total: 3, success: 2, failed: 1 });
      expect(body.errors).toEqual([
        {
          phoneNumberId: expect.any(String),
          code: 'TWILIO_ERROR',
          message: expect.stringContaining('21402'),
          twilio: expect.objectContaining({ code: 21402, status: 400 }),
        },
      ]);

      const failed = numbers.find((n) => n.id === body.errors[0].phoneNumberId)!;
      for (const n of numbers) {
        const stored = await row(n.e164);
        if (n === failed) {
          expect(stored).toMatchObject({ webhook_config: null, webhooks_configured_at: null, twilio_account_sid: null });
          expect(twilioState(n.sid).voice_url).toBe(FOREIGN.voiceUrl);
        } else {
          expect(stored.webhooks_configured_at).not.toBeNull();
          expect(twilioState(n.sid).voice_url).toBe(OURS.voice_url);
        }
      }
      const audit = await auditFor(res.headers['x-request-id']);
      expect(audit.map((a: { outcome: string }) => a.outcome).sort()).toEqual(['failure', 'success', 'success']);
      expect(audit.every((a: { action: string }) => a.action === 'phone_number.resync')).toBe(true);
    });

    it('should move every URL to a new PUBLIC_BASE_URL, including ones we wrote under the old one', async () => {
      const tenant = await createTenant(t);
      const { e164, sid } = seed();
      await assign({ phoneNumber: e164, tenantId: tenant.id, enableSms: true });
      // As if these were configured when the service lived at https://old-host.example.
      const old = (url: string) => url.replace(BASE, 'https://old-host.example');
      const number = fake.getNumber(sid)!;
      for (const key of Object.keys(OURS) as Array<keyof typeof OURS>) number[key] = old(OURS[key]);
      await t.dataSource.query(`UPDATE phone_numbers SET webhook_config = $2, sms_enabled = false WHERE e164 = $1`, [
        e164,
        JSON.stringify({
          voiceUrl: old(OURS.voice_url),
          voiceFallbackUrl: old(OURS.voice_fallback_url),
          statusCallback: old(OURS.status_callback),
          smsUrl: old(OURS.sms_url),
          smsFallbackUrl: old(OURS.sms_fallback_url),
        }),
      ]);
      const res = await t.api('PUT', '/api/phone-numbers/webhooks', {}, tenant.apiKey);
      expect(res.json()).toMatchObject({ total: 1, success: 1 });
      expect(twilioState(sid)).toEqual({ ...OURS, sms_url: '', sms_fallback_url: '' });
    });
  });

  describe('drift check', () => {
    it('should mark a changed number drifted and alert once, then clear it when Twilio is right again', async () => {
      const tenant = await createTenant(t);
      const { e164, sid } = seed();
      const { id } = (await assign({ phoneNumber: e164, tenantId: tenant.id })).json();
      const sync = t.app.get(WebhookSyncService);
      const mine = () => alerts.filter((a) => a.tenantId === tenant.id).map((a) => a.data.kind);

      expect((await sync.runDriftCheck({ tenantId: tenant.id })).skipped).toBe(false);
      expect(await row(e164)).toMatchObject({ status: 'active' });

      fake.getNumber(sid)!.voice_url = 'https://hijacked.example.net/voice';
      await sync.runDriftCheck({ tenantId: tenant.id });
      const drifted = await row(e164);
      expect(drifted).toMatchObject({ status: 'drifted' });
      expect(drifted.drift).toMatchObject({
        reason: 'configuration_differs',
        differences: [{ field: 'voiceUrl', expected: OURS.voice_url, actual: 'https://hijacked.example.net/voice' }],
      });
      await sync.runDriftCheck({ tenantId: tenant.id });
      expect(mine()).toEqual(['phone_number.webhooks_drifted']);

      const verify = await t.api('GET', `/api/phone-numbers/webhooks?phoneNumberId=${id}`, undefined, tenant.apiKey);
      expect(verify.json()).toMatchObject({ configured: false, status: 'drifted', differences: [{ field: 'voiceUrl' }] });

      fake.getNumber(sid)!.voice_url = OURS.voice_url;
      await sync.runDriftCheck({ tenantId: tenant.id });
      expect(await row(e164)).toMatchObject({ status: 'active', drift: null });
      expect(mine()).toEqual(['phone_number.webhooks_drifted', 'phone_number.webhooks_drift_resolved']);
      const audit = await t.dataSource.query(
        `SELECT actor_type, details FROM audit_logs WHERE action = 'phone_number.drift_check' AND resource_id = $1 ORDER BY occurred_at`,
        [id],
      );
      expect(audit.map((a: { actor_type: string; details: { after: string } }) => [a.actor_type, a.details.after])).toEqual([
        ['system', 'drifted'],
        ['system', 'active'],
      ]);
    });

    // The embedded database multiplexes every connection onto one session, where advisory locks are re-entrant.
    onPostgres('should skip the round while another instance holds the lock', async () => {
      const runner = t.dataSource.createQueryRunner();
      await runner.connect();
      try {
        await runner.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK.webhookDrift]);
        expect(await t.app.get(WebhookSyncService).runDriftCheck()).toEqual({ skipped: true, checked: 0, drifted: 0, resolved: 0, failed: 0 });
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK.webhookDrift]);
        await runner.release();
      }
    });
  });
});
