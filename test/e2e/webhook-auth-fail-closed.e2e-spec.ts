import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import { TENANT_CREDENTIALS_STORE, type TenantCredentialsStore } from '../../src/modules/provider-clients/tenant-credentials-store.port.js';
import { TenantRoutingService } from '../../src/modules/twilio-webhooks/tenant-routing.service.js';
import { createTenant, uniquePhoneNumber } from '../factories/tenant.factory.js';
import { createTestApp, type TestApp } from '../support/app.factory.js';
import { TEST_ENV } from '../setup/test-env.js';

// Issue #13: authentication never fails open. Every provider webhook route gets a garbage
// signature together with poisoned fields (a NUL byte in AccountSid made PostgreSQL reject the
// account lookup, and the degraded path then let the request through with tenant data). Each must
// be refused with 401/403: never a 2xx, never a 5xx, never a tenant's hand-off number.

const HANDOFF = '+14155550177';
const TWILIO = '/api/webhooks/twilio';
const TWILIO_ROUTES = [
  'voice',
  'elevenlabs',
  'voice/connect-action',
  'voice/fallback',
  'voice/status',
  'status',
  'voice/stream-status',
  'stream/status',
  'voice/recording',
  'voice/dial-action',
  'sms',
  'sms/incoming',
  'sms/status',
  'sms/fallback',
];
const sid = (prefix: string) => prefix + randomBytes(16).toString('hex');
const GARBAGE_SIGNATURES = ['garbage', 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=', ''];

describe('Webhook authentication fails closed', () => {
  let t: TestApp;
  let number: string;

  beforeAll(async () => {
    t = await createTestApp();
    const tenant = await createTenant(t, { settings: { agent: { agentId: 'agent_main' }, handoffNumber: HANDOFF } });
    number = uniquePhoneNumber();
    expect((await t.api('POST', `/api/tenants/${tenant.id}/phone-numbers`, { phoneNumber: number })).statusCode).toBe(201);
    // As after a legitimate call: the number's hand-off is in the in-memory cache the fallback
    // reads while the database is down, which is the tenant data an unverified request once got.
    await t.app.get(TenantRoutingService).resolve(number);
  });
  afterAll(async () => {
    await t?.close();
  });

  // Form fields a real webhook would carry (so only the guard stands between the request and the
  // handler), with AccountSid replaced by each poison. Raw strings: we control every byte.
  const fields = () =>
    [
      `CallSid=${sid('CA')}`,
      `MessageSid=${sid('SM')}`,
      `To=${encodeURIComponent(number)}`,
      `From=${encodeURIComponent('+14155550123')}`,
      'CallStatus=ringing',
      'Direction=inbound',
      'MessageStatus=delivered',
      'Body=hi',
      `StreamSid=${sid('MZ')}`,
      'StreamEvent=stream-started',
      `RecordingSid=${sid('RE')}`,
      'RecordingStatus=completed',
      'DialCallStatus=completed',
    ].join('&');
  const FORM_POISONS: Array<[string, string]> = [
    ['a NUL byte in AccountSid', `AccountSid=AC${'0'.repeat(16)}%00${'0'.repeat(15)}`],
    ['an overlong AccountSid', `AccountSid=AC${'a'.repeat(10_000)}`],
    ['a lone surrogate in AccountSid', `AccountSid=AC${'0'.repeat(30)}%ED%A0%80`],
    ['an array-valued AccountSid', `AccountSid=${sid('AC')}&AccountSid=${sid('AC')}`],
    ['no AccountSid', ''],
    ['the platform AccountSid', `AccountSid=${TEST_ENV.TWILIO_ACCOUNT_SID}`],
    ['an unknown but well-formed AccountSid', `AccountSid=${sid('AC')}`],
  ];
  const JSON_POISONS: Array<[string, string]> = [
    ['a NUL byte in AccountSid (JSON)', `{"AccountSid":"AC${'0'.repeat(16)}\\u0000${'0'.repeat(15)}"}`],
    ['a lone surrogate in AccountSid (JSON)', `{"AccountSid":"AC${'0'.repeat(30)}\\ud800"}`],
    ['an array-valued AccountSid (JSON)', `{"AccountSid":["${sid('AC')}","${sid('AC')}"]}`],
    ['an object AccountSid (JSON)', '{"AccountSid":{"$ne":null}}'],
  ];

  it('should cover every Twilio webhook the app documents', async () => {
    // The route list above is needed before the app boots (describe.each); this keeps it whole.
    const doc = (await t.inject({ method: 'GET', url: '/docs-json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
    const documented = Object.keys(doc.paths).filter((path) => path.startsWith(`${TWILIO}/`) && doc.paths[path].post);
    expect(documented.map((path) => path.slice(TWILIO.length + 1)).sort()).toEqual([...TWILIO_ROUTES].sort());
  });

  function expectRefused(res: { statusCode: number; body: string }, label: string) {
    // The label makes a failure say which route and poison got through.
    expect({ label, refused: [401, 403].includes(res.statusCode) ? 'yes' : res.statusCode }).toEqual({ label, refused: 'yes' });
    expect(res.body).not.toContain(HANDOFF);
    expect(res.body).not.toContain(HANDOFF.slice(1));
  }

  describe.each(TWILIO_ROUTES)('POST %s', (route) => {
    it.each(FORM_POISONS)('should refuse a garbage signature with %s', async (name, poison) => {
      for (const signature of GARBAGE_SIGNATURES) {
        const res = await t.inject({
          method: 'POST',
          url: `${TWILIO}/${route}`,
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
          payload: [poison, fields()].filter(Boolean).join('&'),
        });
        expectRefused(res, `${route} / ${name} / sig=${signature}`);
      }
    });

    it.each(JSON_POISONS)('should refuse a garbage signature with %s', async (name, payload) => {
      const res = await t.inject({
        method: 'POST',
        url: `${TWILIO}/${route}?bodySHA256=${'0'.repeat(64)}`,
        headers: { 'content-type': 'application/json', 'x-twilio-signature': 'garbage' },
        payload,
      });
      expectRefused(res, `${route} / ${name}`);
    });

    it('should refuse a request without any signature with 401', async () => {
      const res = await t.inject({
        method: 'POST',
        url: `${TWILIO}/${route}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `AccountSid=AC%00&${fields()}`,
      });
      expect({ route, status: res.statusCode }).toEqual({ route, status: 401 });
    });
  });

  describe('ElevenLabs routes', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const SIGNED_ROUTES = ['post-call', 'conversation-events', 'conversation-initiation'];
    const BODIES = ['{"type":"post_call_transcription","data":{"conversation_id":"conv\\u0000x","agent_id":"\\ud800"}}', '{"type":["a","b"],"data":[]}', '{}'];
    const SIGNATURES = () => ['garbage', `t=${now()},v0=${'0'.repeat(64)}`, `t=${now()},v0=zz`, 't=,v0=', `t=${'9'.repeat(400)},v0=${'a'.repeat(64)}`];

    it.each(SIGNED_ROUTES)('should refuse %s with a garbage ElevenLabs-Signature', async (route) => {
      for (const signature of SIGNATURES()) {
        for (const payload of BODIES) {
          const res = await t.inject({
            method: 'POST',
            url: `/api/webhooks/elevenlabs/${route}`,
            headers: { 'content-type': 'application/json', 'elevenlabs-signature': signature },
            payload,
          });
          expectRefused(res, `${route} / ${signature.slice(0, 20)} / ${payload.slice(0, 30)}`);
        }
      }
    });

    it.each([
      ['GET', 'services'],
      ['GET', 'employees'],
      ['GET', 'availability'],
      ['GET', 'appointments'],
      ['POST', 'appointments'],
    ] as const)('should refuse %s %s with a garbage tool secret', async (method, route) => {
      for (const secret of ['garbage', `sbt_${'x'.repeat(40)}`, `sbt_${'x'.repeat(5000)}`, '']) {
        const res = await t.inject({
          method,
          url: `/api/webhooks/elevenlabs/${route}?tenantId=${encodeURIComponent('x\u0000')}`,
          headers: { 'content-type': 'application/json', 'x-switchboard-tool-secret': secret },
          ...(method === 'POST' ? { payload: '{"name":"\\u0000"}' } : {}),
        });
        expectRefused(res, `${method} ${route} / ${secret.slice(0, 10)}`);
      }
    });
  });

  describe('while the database cannot be asked for a subaccount token', () => {
    // Fault injection: the credentials store's lookup behind the token fails as a lost database does.
    const SUBACCOUNT = sid('AC');
    let failing: { mockRestore(): void } | undefined;
    beforeAll(() => {
      const store = t.app.get<TenantCredentialsStore>(TENANT_CREDENTIALS_STORE);
      failing = jest.spyOn(store, 'twilioTokenForAccount').mockRejectedValue(new Error('Connection terminated unexpectedly'));
    });
    afterAll(() => failing?.mockRestore());

    const post = (route: string, params: Record<string, string>, signature: string) =>
      t.inject({
        method: 'POST',
        url: `${TWILIO}/${route}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
        payload: new URLSearchParams(params).toString(),
      });
    const params = () => ({ AccountSid: SUBACCOUNT, CallSid: sid('CA'), To: number, From: '+14155550123', CallStatus: 'ringing', Direction: 'inbound' });
    const platformSigned = (route: string, p: Record<string, string>) =>
      twilio.getExpectedTwilioSignature(TEST_ENV.TWILIO_AUTH_TOKEN, `${TEST_ENV.PUBLIC_BASE_URL}${TWILIO}/${route}`, p);

    it.each(['voice', 'voice/fallback', 'voice/connect-action'])(
      'should refuse %s with a garbage signature with 403, not the degraded answer',
      async (route) => {
        const res = await post(route, params(), 'garbage');
        expectRefused(res, route);
      },
    );

    it('should still answer the fallback to a request that verifies without the database (platform token)', async () => {
      const p = params();
      const res = await post('voice/fallback', p, platformSigned('voice/fallback', p));
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<Say');
    });

    it('should answer 503 to a verified status callback it cannot record', async () => {
      const p = { ...params(), CallStatus: 'completed' };
      expect((await post('voice/status', p, platformSigned('voice/status', p))).statusCode).toBe(503);
    });
  });
});
