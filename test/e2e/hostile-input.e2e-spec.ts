import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTenant, uniquePhoneNumber } from '../factories/tenant.factory.js';
import { TEST_ENV } from '../setup/test-env.js';
import { FakeElevenLabs, signElevenLabsPayload } from '../simulators/elevenlabs/index.js';
import { encodeForm, FakeTwilioApi, newTwilioSid, signTwilioRequest } from '../simulators/twilio/index.js';
import { createTestApp, type TestApp } from '../support/app.factory.js';
import { waitFor } from '../support/wait-for.js';

// Regression cases for the 5xx classes of issue #13 item 3: input the database or our code cannot
// take is refused at the edge with a 400 naming the field (API) or cleaned (provider webhooks).

const PUBLIC = TEST_ENV.PUBLIC_BASE_URL;
const SMS = '/api/webhooks/twilio/sms';
const POST_SECRET = 'wsec_hostile_post';

// Built as text: JSON.stringify itself overflows on values this deep.
const nested = (levels: number): string => `${'['.repeat(levels)}"x"${']'.repeat(levels)}`;

describe('Hostile input at the edge', () => {
  let t: TestApp;
  let twilio: FakeTwilioApi;
  let el: FakeElevenLabs;

  beforeAll(async () => {
    el = await FakeElevenLabs.start({ agents: { agent_sms: { mode: 'echo', pingIntervalMs: 0, textReply: (text) => `re ${text}` } } });
    twilio = await FakeTwilioApi.start({ accounts: { [TEST_ENV.TWILIO_ACCOUNT_SID]: TEST_ENV.TWILIO_AUTH_TOKEN } });
    t = await createTestApp({
      ELEVENLABS_API_BASE_URL: el.baseUrl,
      TWILIO_API_BASE_URL: twilio.baseUrl,
      WEBHOOK_DRIFT_CHECK_INTERVAL_MS: '0',
      ELEVENLABS_POST_CALL_WEBHOOK_SECRET: POST_SECRET,
    });
  });
  afterAll(async () => {
    await t?.close();
    await twilio?.stop();
    await el?.stop();
  });

  const tenantCount = async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM tenants`))[0].n as number;

  it('should refuse a NUL in a tenant name with 400 naming the field, writing nothing', async () => {
    const before = await tenantCount();
    const res = await t.api('POST', '/api/tenants', { name: 'Acme\u0000Ltd' });
    expect(res.statusCode).toBe(400);
    expect(res.json().details).toEqual([{ field: 'name', messages: [expect.stringContaining('NUL')] }]);
    expect(await tenantCount()).toBe(before);
  });

  it('should refuse a NUL deep in settings and in a key with 400 naming the path', async () => {
    const res = await t.api('POST', '/api/tenants', { name: 'Acme', settings: { agent: { prompt: 'hi\u0000' } } });
    expect(res.statusCode).toBe(400);
    expect(res.json().details[0].field).toBe('settings.agent.prompt');
    const key = await t.api('POST', '/api/tenants', { name: 'Acme', settings: { 'x\u0000': 1 } });
    expect(key.statusCode).toBe(400);
    expect(key.json().details[0].field).toBe('settings.x\\u0000');
  });

  it('should refuse a lone surrogate with 400 (it made encodeURIComponent throw: URIError)', async () => {
    const res = await t.inject({
      method: 'POST',
      url: '/api/tenants',
      headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json' },
      payload: '{"name":"A\\ud800b"}',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().details[0]).toMatchObject({ field: 'name' });
  });

  it('should refuse a lone surrogate in an e-mail address with 400 (URIError: URI malformed)', async () => {
    const tenant = await createTenant(t);
    const [lead] = await t.dataSource.query(`INSERT INTO leads (tenant_id, phone_e164) VALUES ($1, $2) RETURNING id`, [tenant.id, uniquePhoneNumber()]);
    const res = await t.inject({
      method: 'PATCH',
      url: `/api/leads/${lead.id}`,
      headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' },
      payload: '{"email":"jo\\ud800@example.com"}',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().details[0].field).toBe('email');
  });

  it('should take a signed conversation event whose event_timestamp is 1e308 (invalid input syntax for type timestamp)', async () => {
    const tenant = await createTenant(t);
    const conversationId = `conv_${newTwilioSid('XX').slice(2)}`;
    await t.dataSource.query(
      `INSERT INTO calls (tenant_id, direction, from_number, to_number, status, conversation_id) VALUES ($1, 'inbound', $2, $3, 'in-progress', $4)`,
      [tenant.id, uniquePhoneNumber(), uniquePhoneNumber(), conversationId],
    );
    const raw = `{"type":"interruption","event_timestamp":1e308,"data":{"conversation_id":"${conversationId}"}}`;
    const res = await t.inject({
      method: 'POST',
      url: '/api/webhooks/elevenlabs/conversation-events',
      headers: { 'content-type': 'application/json', 'elevenlabs-signature': signElevenLabsPayload(raw, TEST_ENV.ELEVENLABS_WEBHOOK_SECRET) },
      payload: raw,
    });
    expect(res.statusCode).toBe(200);
    const [event] = await waitFor(async () => {
      const rows = await t.dataSource.query(`SELECT occurred_at FROM call_events WHERE conversation_id = $1`, [conversationId]);
      return rows.length ? rows : undefined;
    });
    expect(Math.abs(new Date(event.occurred_at).getTime() - Date.now())).toBeLessThan(60_000); // the time of receipt
  });

  it('should refuse thousands of nested arrays with 400 instead of overflowing the stack', async () => {
    const before = await tenantCount();
    const post = (payload: string) =>
      t.inject({ method: 'POST', url: '/api/tenants', headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json' }, payload });
    const deep = await post(`{"name":"Acme","settings":{"quotas":${nested(5000)}}}`);
    expect(deep.statusCode).toBe(400);
    expect(deep.json().message).toContain('nested deeper than 32');
    const whole = await post(nested(20000));
    expect(whole.statusCode).toBe(400);
    expect(await tenantCount()).toBe(before);
  });

  it('should refuse a number JSON turns into Infinity (1e400) with 400', async () => {
    const res = await t.inject({
      method: 'POST',
      url: '/api/scheduling/services',
      headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json' },
      payload: '{"name":"Cut","durationMinutes":1e400}',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().details[0].field).toBe('durationMinutes');
  });

  it('should refuse a NUL in a query parameter with 400', async () => {
    const res = await t.inject({ method: 'GET', url: '/api/calls?status=a%00b', headers: { authorization: `Bearer ${t.adminKey}` } });
    expect(res.statusCode).toBe(400);
    expect(res.json().details[0].field).toMatch(/^query\./);
  });

  it('should take a signed SMS with a NUL and a lone surrogate in its Body, storing U+FFFD (signature over the original fields)', async () => {
    const tenant = await createTenant(t, { settings: { agent: { agentId: 'agent_sms' } } });
    const number = uniquePhoneNumber();
    await t.dataSource.query(`INSERT INTO phone_numbers (tenant_id, e164, sms_enabled, whatsapp_enabled) VALUES ($1, $2, true, true)`, [tenant.id, number]);
    const sid = newTwilioSid('SM');
    const params = {
      MessageSid: sid,
      SmsSid: sid,
      AccountSid: TEST_ENV.TWILIO_ACCOUNT_SID,
      From: uniquePhoneNumber(),
      To: number,
      Body: 'hello\u0000there \ud800!',
      NumSegments: '1',
    };
    const res = await t.inject({
      method: 'POST',
      url: SMS,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signTwilioRequest(TEST_ENV.TWILIO_AUTH_TOKEN, `${PUBLIC}${SMS}`, params),
      },
      payload: encodeForm(params),
    });
    expect(res.statusCode).toBe(200);
    const rows = await waitFor(async () => {
      const r = await t.dataSource.query(`SELECT body FROM lead_messages WHERE tenant_id = $1 AND direction = 'inbound'`, [tenant.id]);
      return r.length > 0 ? r : undefined;
    });
    expect(rows[0].body).toBe('hello\uFFFDthere \uFFFD!');
  });

  it('should still refuse that SMS when it is signed over the cleaned text (the signature covers what was received)', async () => {
    const sid = newTwilioSid('SM');
    const sent = { MessageSid: sid, AccountSid: TEST_ENV.TWILIO_ACCOUNT_SID, From: uniquePhoneNumber(), To: uniquePhoneNumber(), Body: 'a\u0000b' };
    const res = await t.inject({
      method: 'POST',
      url: SMS,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signTwilioRequest(TEST_ENV.TWILIO_AUTH_TOKEN, `${PUBLIC}${SMS}`, { ...sent, Body: 'a\uFFFDb' }),
      },
      payload: encodeForm(sent),
    });
    expect(res.statusCode).toBe(403);
  });

  it('should refuse {"active": null} on an employee with 400 naming the field (it hit the NOT NULL column)', async () => {
    const tenant = await createTenant(t);
    const created = await t.api('POST', '/api/scheduling/employees', { name: 'Anna', workingHours: {}, serviceIds: [] }, tenant.apiKey);
    expect(created.statusCode).toBe(201);
    const res = await t.api('PATCH', `/api/scheduling/employees/${created.json().id}`, { active: null }, tenant.apiKey);
    expect(res.statusCode).toBe(400);
    expect(res.json().details[0].field).toBe('active');
  });

  it('should refuse null for a field that may be left out but not emptied with 400 naming it (the fuzzer found a 422 from the NOT NULL column)', async () => {
    const tenant = await createTenant(t);
    const service = await t.api('POST', '/api/scheduling/services', { name: 'Cut', durationMinutes: 30, priceCents: 100 }, tenant.apiKey);
    for (const [url, body, field] of [
      [`/api/scheduling/services/${service.json().id}`, { name: null }, 'name'],
      [`/api/scheduling/services/${service.json().id}`, { durationMinutes: null }, 'durationMinutes'],
      [`/api/tenants/${tenant.id}`, { timezone: null }, 'timezone'],
      [`/api/tenants/${tenant.id}`, { settings: null }, 'settings'],
    ] as const) {
      const res = await t.api('PATCH', url, body, tenant.apiKey);
      expect(res.statusCode).toBe(400);
      expect(res.json().details[0].field).toBe(field);
    }
    const price = await t.api('PATCH', `/api/scheduling/services/${service.json().id}`, { priceCents: 2 ** 31 }, tenant.apiKey);
    expect(price.statusCode).toBe(400);
    expect(price.json().details[0].field).toBe('priceCents');
    // null still clears what may be cleared
    expect((await t.api('PATCH', `/api/scheduling/services/${service.json().id}`, { priceCents: null }, tenant.apiKey)).json().priceCents).toBeNull();
  });

  it('should refuse a signed post-call webhook nested 10,000 deep behind a lone surrogate with 400 (found by the fuzzer: a 500)', async () => {
    // The surrogate, met first, was cleaned and hid the nesting, which then overflowed the stack.
    const raw = `{"type":"post_call_transcription","event_timestamp":${Math.floor(Date.now() / 1000)},"data":{"conversation_id":"conv_deep","status":"\\udd2b","has_auxiliary_audio":${nested(10_000)}}}`;
    const res = await t.inject({
      method: 'POST',
      url: '/api/webhooks/elevenlabs/post-call',
      headers: { 'content-type': 'application/json', 'elevenlabs-signature': signElevenLabsPayload(raw, POST_SECRET) },
      payload: raw,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('nested deeper than 32');
  });

  it('should stay healthy afterwards', async () => {
    expect((await t.inject({ method: 'GET', url: '/api/health/ready' })).statusCode).toBe(200);
  });
});
