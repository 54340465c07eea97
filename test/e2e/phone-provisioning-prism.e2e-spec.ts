// Assign / verify / reconfigure / resync / unassign through the official `twilio` client against
// Prism serving Twilio's own OpenAPI spec: every request we send must be one Twilio's published
// contract accepts. Prism is stateless and answers canned examples (always the number
// +18089255327, SID PNaaaa..., voice_url null), so these tests follow one number through its life
// and check our database; state and failure scenarios are in phone-provisioning.e2e-spec.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TwilioClientFactory } from '../../src/modules/provider-clients/twilio-client.factory.js';
import { TwilioNumberClient } from '../../src/modules/phone-provisioning/twilio-number.client.js';
import {
  expectedWebhookConfig,
  ownershipTest,
  planWebhookUpdate,
  revertWebhookUpdate,
  type WebhookConfig,
} from '../../src/modules/phone-provisioning/webhook-config.js';
import { PhoneNumbersService } from '../../src/modules/tenants/phone-numbers.service.js';
import { createTenant, type CreatedTenant, uniquePhoneNumber } from '../factories/tenant.factory.js';
import { createTestApp, type TestApp } from '../support/app.factory.js';
import { patchTwilioSpecForPrism, startPrism, type PrismServer } from '../support/prism.js';
import { TEST_ENV } from '../setup/test-env.js';

const PRISM_NUMBER = '+18089255327';
const PRISM_SID = 'PNaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const BASE = TEST_ENV.PUBLIC_BASE_URL;
const OUR_FIELDS = ['smsFallbackUrl', 'smsUrl', 'statusCallback', 'voiceFallbackUrl', 'voiceUrl'];

describe('Phone-number provisioning against Prism (Twilio OpenAPI spec)', () => {
  let prism: PrismServer;
  let t: TestApp;
  let a: CreatedTenant;
  let b: CreatedTenant;
  let numberId: string;

  const numberRow = async () => (await t.dataSource.query('SELECT * FROM phone_numbers WHERE e164 = $1', [PRISM_NUMBER]))[0];
  const auditFor = (requestId: unknown) =>
    t.dataSource.query('SELECT action, outcome, tenant_id, resource_id, details FROM audit_logs WHERE request_id = $1', [requestId]);

  beforeAll(async () => {
    prism = await startPrism();
    t = await createTestApp({ TWILIO_API_BASE_URL: prism.baseUrl, WEBHOOK_DRIFT_CHECK_INTERVAL_MS: '0' });
    a = await createTenant(t);
    b = await createTenant(t);
  });
  afterAll(async () => {
    await t?.close();
    await prism?.stop();
  });

  it('should have patched the spec copy for repeated keys and empty values', () => {
    const changes = patchTwilioSpecForPrism(
      JSON.parse(
        JSON.stringify({
          paths: {
            '/x': {
              post: {
                operationId: 'UpdateIncomingPhoneNumber',
                requestBody: {
                  content: {
                    'application/x-www-form-urlencoded': {
                      schema: {
                        properties: {
                          VoiceUrl: { type: 'string', format: 'uri' },
                          VoiceApplicationSid: { type: 'string', pattern: '^AP[0-9a-fA-F]{32}$' },
                          Events: { type: 'array', items: { type: 'string' } },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        }),
      ),
    );
    expect(changes).toEqual([
      'UpdateIncomingPhoneNumber VoiceUrl: may be empty',
      'UpdateIncomingPhoneNumber VoiceApplicationSid: may be empty',
      'UpdateIncomingPhoneNumber Events: repeated keys',
    ]);
  });

  describe('validation', () => {
    it.each([
      ['both phoneNumberId and phoneNumber', { phoneNumberId: '00000000-0000-4000-8000-000000000000', phoneNumber: PRISM_NUMBER }, 'INVALID_TARGET'],
      ['neither phoneNumberId nor phoneNumber', {}, 'INVALID_TARGET'],
      ['no tenantId with the admin key', { phoneNumber: PRISM_NUMBER }, 'TENANT_REQUIRED'],
    ])('should answer 400 for %s and write nothing', async (_case, body, code) => {
      const res = await t.api('POST', '/api/phone-numbers/assign', body);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe(code);
      expect(await numberRow()).toBeUndefined();
    });

    it.each([
      ['a malformed number', { phoneNumber: '12', tenantId: '00000000-0000-4000-8000-000000000000' }, 'phoneNumber'],
      ['a bad agentId', { phoneNumber: PRISM_NUMBER, tenantId: '00000000-0000-4000-8000-000000000000', agentId: 'agent with spaces' }, 'agentId'],
      ['an unknown field', { phoneNumber: PRISM_NUMBER, voiceUrl: 'https://evil.example' }, 'voiceUrl'],
    ])('should answer 400 naming the field for %s', async (_case, body, field) => {
      const res = await t.api('POST', '/api/phone-numbers/assign', body);
      expect(res.statusCode).toBe(400);
      expect(res.json().details.map((e: { field: string }) => e.field)).toContain(field);
    });
  });

  it('should assign a number found by listing IncomingPhoneNumbers and point its voice and SMS webhooks at us', async () => {
    const res = await t.api('POST', '/api/phone-numbers/assign', { phoneNumber: '+1 (808) 925-5327', tenantId: a.id, agentId: 'agent_prism', enableSms: true });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      tenantId: a.id,
      phoneNumber: PRISM_NUMBER,
      twilioSid: PRISM_SID,
      agentId: 'agent_prism',
      capabilities: { voice: true, sms: true, whatsapp: false },
      status: 'active',
    });
    // Prism's example has voice_url null and empty SMS URLs; the methods are already POST.
    expect([...body.updatedFields].sort()).toEqual(OUR_FIELDS);
    numberId = body.id;

    const row = await numberRow();
    expect(row).toMatchObject({
      id: numberId,
      tenant_id: a.id,
      twilio_sid: PRISM_SID,
      twilio_account_sid: TEST_ENV.TWILIO_ACCOUNT_SID,
      agent_id: 'agent_prism',
      sms_enabled: true,
      status: 'active',
      drift: null,
    });
    expect(row.webhook_config).toMatchObject({
      voiceUrl: `${BASE}/api/webhooks/twilio/voice`,
      statusCallback: `${BASE}/api/webhooks/twilio/voice/status`,
      smsUrl: `${BASE}/api/webhooks/twilio/sms`,
    });
    expect(row.webhooks_configured_at).not.toBeNull();

    const routed = await t.app.get(PhoneNumbersService).findByE164(PRISM_NUMBER);
    expect(routed?.tenantId).toBe(a.id);

    const audit = await auditFor(res.headers['x-request-id']);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'phone_number.assign', outcome: 'success', tenant_id: a.id, resource_id: numberId });
    expect(audit[0].details.before).toMatchObject({ tenantId: null, agentId: null });
    expect(audit[0].details.after).toMatchObject({ tenantId: a.id, agentId: 'agent_prism', twilioSid: PRISM_SID });
    expect(audit[0].details.twilio.voiceUrl).toEqual({ from: null, to: `${BASE}/api/webhooks/twilio/voice` });
  });

  it("should compare the live configuration with the expected one (Prism's canned number is not configured)", async () => {
    const res = await t.api('GET', `/api/phone-numbers/webhooks?phoneNumberId=${numberId}`, undefined, a.apiKey);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ phoneNumberId: numberId, phoneNumber: PRISM_NUMBER, twilioSid: PRISM_SID, configured: false });
    expect(body.expected).toMatchObject({
      voiceUrl: `${BASE}/api/webhooks/twilio/voice`,
      voiceMethod: 'POST',
      smsFallbackUrl: `${BASE}/api/webhooks/twilio/sms/fallback`,
    });
    expect(body.actual).toMatchObject({ voiceUrl: null, voiceMethod: 'POST', smsUrl: '' });
    expect(body.differences.map((d: { field: string }) => d.field).sort()).toEqual(OUR_FIELDS);
    expect((await auditFor(res.headers['x-request-id']))[0]).toMatchObject({ action: 'phone_number.verify', outcome: 'success', resource_id: numberId });
  });

  it('should reconfigure one number now', async () => {
    const before = (await numberRow()).webhooks_configured_at;
    const res = await t.api('POST', '/api/phone-numbers/webhooks', { phoneNumberId: numberId }, a.apiKey);
    expect(res.statusCode).toBe(200);
    expect([...res.json().updatedFields].sort()).toEqual(OUR_FIELDS);
    expect(new Date((await numberRow()).webhooks_configured_at).getTime()).toBeGreaterThan(new Date(before).getTime());
    expect((await auditFor(res.headers['x-request-id']))[0]).toMatchObject({ action: 'phone_number.configure', outcome: 'success' });
  });

  it("should re-sync all, a tenant's or an agent's numbers, each tenant key only its own", async () => {
    const resync = (body: object, key?: string) => t.api('PUT', '/api/phone-numbers/webhooks', body, key);
    const all = await resync({});
    expect(all.statusCode).toBe(200);
    // On a shared PostgreSQL run other suites' numbers are in scope too (Prism knows none of them).
    expect(all.json().success).toBeGreaterThanOrEqual(1);
    expect(all.json().errors.map((e: { phoneNumberId: string }) => e.phoneNumberId)).not.toContain(numberId);
    expect((await resync({ tenantId: a.id })).json()).toEqual({ total: 1, success: 1, failed: 0, errors: [] });
    expect((await resync({ agentId: 'agent_prism' })).json()).toMatchObject({ total: 1, success: 1 });
    expect((await resync({ agentId: 'agent_other' })).json()).toMatchObject({ total: 0 });
    expect((await resync({}, a.apiKey)).json()).toMatchObject({ total: 1, success: 1 });
    expect((await resync({}, b.apiKey)).json()).toMatchObject({ total: 0 });
    expect((await resync({ tenantId: a.id }, b.apiKey)).statusCode).toBe(404);
    expect((await resync({ tenantId: '00000000-0000-4000-8000-000000000000' })).statusCode).toBe(404);
  });

  it('should refuse a number assigned to another tenant (409 for the admin, 404/409 for a tenant key) and change nothing', async () => {
    const before = await numberRow();
    const admin = await t.api('POST', '/api/phone-numbers/assign', { phoneNumberId: numberId, tenantId: b.id });
    expect(admin.statusCode).toBe(409);
    expect(admin.json().code).toBe('ASSIGNED_TO_ANOTHER_TENANT');
    expect(await auditFor(admin.headers['x-request-id'])).toEqual([
      expect.objectContaining({
        action: 'phone_number.assign',
        outcome: 'failure',
        resource_id: numberId,
        details: { error: expect.objectContaining({ code: 'ASSIGNED_TO_ANOTHER_TENANT' }) },
      }),
    ]);
    expect((await t.api('POST', '/api/phone-numbers/assign', { phoneNumber: PRISM_NUMBER }, b.apiKey)).statusCode).toBe(409);
    expect((await t.api('POST', '/api/phone-numbers/assign', { phoneNumberId: numberId }, b.apiKey)).statusCode).toBe(404);
    expect((await t.api('POST', '/api/phone-numbers/assign', { phoneNumberId: numberId, tenantId: b.id }, a.apiKey)).statusCode).toBe(404);
    expect((await t.api('GET', `/api/phone-numbers/webhooks?phoneNumberId=${numberId}`, undefined, b.apiKey)).statusCode).toBe(404);
    expect((await t.api('DELETE', '/api/phone-numbers/assign', { phoneNumberId: numberId }, b.apiKey)).statusCode).toBe(404);
    expect(await numberRow()).toEqual(before);
  });

  it('should unassign: back to the pool, no longer routed to any tenant', async () => {
    const res = await t.api('DELETE', '/api/phone-numbers/assign', { phoneNumberId: numberId }, a.apiKey);
    expect(res.statusCode).toBe(200);
    // Prism's canned number carries none of our URLs, so there is nothing to clear on it.
    expect(res.json()).toMatchObject({ id: numberId, tenantId: null, agentId: null, updatedFields: [] });
    expect(await numberRow()).toMatchObject({ tenant_id: null, agent_id: null, twilio_sid: PRISM_SID, status: 'active' });
    expect(await t.app.get(PhoneNumbersService).findByE164(PRISM_NUMBER)).toBeNull();
    expect((await auditFor(res.headers['x-request-id']))[0]).toMatchObject({ action: 'phone_number.unassign', outcome: 'success', tenant_id: a.id });

    expect((await t.api('GET', `/api/phone-numbers/webhooks?phoneNumberId=${numberId}`, undefined, a.apiKey)).statusCode).toBe(404);
    const verify = await t.api('GET', `/api/phone-numbers/webhooks?phoneNumberId=${numberId}`);
    expect(verify.json()).toMatchObject({ configured: true, differences: [] });
    const again = await t.api('DELETE', '/api/phone-numbers/assign', { phoneNumberId: numberId });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('NOT_ASSIGNED');
    // A pool number is the platform's: a tenant key cannot take it.
    expect((await t.api('POST', '/api/phone-numbers/assign', { phoneNumberId: numberId }, a.apiKey)).statusCode).toBe(404);
  });

  it('should refuse a suspended tenant with 409 and leave the number in the pool', async () => {
    const suspended = await createTenant(t);
    await t.api('POST', `/api/tenants/${suspended.id}/suspend`);
    const res = await t.api('POST', '/api/phone-numbers/assign', { phoneNumberId: numberId, tenantId: suspended.id });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('TENANT_SUSPENDED');
    expect((await numberRow()).tenant_id).toBeNull();
  });

  it("should answer 502 with Twilio's status when Prism rejects the request, and change nothing", async () => {
    const tenant = await createTenant(t);
    const created = (await t.api('POST', `/api/tenants/${tenant.id}/phone-numbers`, { phoneNumber: uniquePhoneNumber() })).json();
    // A SID outside Twilio's pattern: Prism answers 422 (RFC 7807, not Twilio's error JSON).
    await t.dataSource.query('UPDATE phone_numbers SET twilio_sid = $2 WHERE id = $1', [created.id, `PN${'z'.repeat(32)}`]);
    const res = await t.api('POST', '/api/phone-numbers/webhooks', { phoneNumberId: created.id });
    expect(res.statusCode).toBe(502);
    expect(res.json()).toMatchObject({ code: 'TWILIO_ERROR', twilio: { status: 422 } });
    const [row] = await t.dataSource.query('SELECT webhooks_configured_at, status FROM phone_numbers WHERE id = $1', [created.id]);
    expect(row).toEqual({ webhooks_configured_at: null, status: 'active' });
    const [audit] = await auditFor(res.headers['x-request-id']);
    expect(audit).toMatchObject({ action: 'phone_number.configure', outcome: 'failure' });
  });

  it("should send clearing and restoring updates (empty values) that Twilio's spec accepts", async () => {
    const numbers = t.app.get(TwilioNumberClient);
    const handle = await numbers.connect(null, null);
    const foreign: WebhookConfig = {
      voiceUrl: 'https://crm.example.org/voice',
      voiceMethod: 'GET',
      voiceApplicationSid: `AP${'1'.repeat(32)}`,
      trunkSid: `TK${'2'.repeat(32)}`,
      smsApplicationSid: `AP${'3'.repeat(32)}`,
      statusCallback: null,
    };
    const configure = planWebhookUpdate(expectedWebhookConfig(BASE, { voice: true, messaging: true }), foreign, ownershipTest(BASE, null));
    expect(configure).toMatchObject({ voiceApplicationSid: '', trunkSid: '', smsApplicationSid: '', voiceMethod: 'POST' });
    await expect(numbers.update(handle, PRISM_SID, configure)).resolves.toMatchObject({ sid: PRISM_SID });
    await expect(numbers.update(handle, PRISM_SID, revertWebhookUpdate(configure, foreign))).resolves.toMatchObject({ sid: PRISM_SID });
    const clear = planWebhookUpdate(
      expectedWebhookConfig(BASE, { voice: false, messaging: false }),
      { ...expectedWebhookConfig(BASE, { voice: true, messaging: true }) },
      ownershipTest(BASE, null),
    );
    expect(Object.values(clear)).toEqual(['', '', '', '', '']);
    await expect(numbers.update(handle, PRISM_SID, clear)).resolves.toMatchObject({ sid: PRISM_SID });
  });

  it('should accept repeated form keys once the spec declares their encoding (Calls StatusCallbackEvent)', async () => {
    const client = t.app.get(TwilioClientFactory).build(TEST_ENV.TWILIO_ACCOUNT_SID, TEST_ENV.TWILIO_AUTH_TOKEN);
    const call = await client.calls.create({
      to: '+14155550100',
      from: PRISM_NUMBER,
      url: `${BASE}/api/webhooks/twilio/voice`,
      statusCallback: `${BASE}/api/webhooks/twilio/voice/status`,
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
    });
    expect(call.sid).toMatch(/^CA/);
  });
});
