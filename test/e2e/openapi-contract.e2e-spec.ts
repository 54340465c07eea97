import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildPostCallTranscription, FakeElevenLabs, signElevenLabsPayload } from '../simulators/elevenlabs/index.js';
import { FakeTwilioApi, newTwilioSid, signedTwilioForm, TwilioCallSimulator, type TwilioParams } from '../simulators/twilio/index.js';
import { createTenant, uniquePhoneNumber } from '../factories/tenant.factory.js';
import { createTestApp, type TestApp } from '../support/app.factory.js';
import { TEST_ENV } from '../setup/test-env.js';

// The contract walk: every route the app serves is in the OpenAPI document (GET /docs-json), and
// every documented operation gets a real request whose response is checked against the schema
// declared for its status: no undeclared properties, required ones present, types right.

type Json = Record<string, unknown>;
/** A resource the set-up created: its id goes into URLs and bodies. */
type Created = Json & { id: string };
type Op = { responses: Record<string, { content?: Record<string, { schema?: Json }> }> };
type Ctx = Awaited<ReturnType<typeof setUp>>;

/** Routes whose success body is not JSON, so there is no JSON schema to check it against. */
const NO_JSON_SCHEMA: Record<string, string> = {
  'GET /api/stream/events': 'Server-Sent Events (text/event-stream); the frames are checked in realtime.e2e-spec',
  'GET /api/stream/conversation/{leadId}': 'Server-Sent Events (text/event-stream); checked in realtime.e2e-spec',
  'GET /metrics': 'Prometheus text exposition format, read by Prometheus, not by API clients',
  ...Object.fromEntries(
    [
      'POST /api/webhooks/twilio/voice',
      'POST /api/webhooks/twilio/elevenlabs',
      'POST /api/webhooks/twilio/voice/connect-action',
      'POST /api/webhooks/twilio/voice/fallback',
      'POST /api/webhooks/twilio/voice/dial-action',
      'POST /api/webhooks/twilio/sms',
      'POST /api/webhooks/twilio/sms/incoming',
      'POST /api/webhooks/twilio/sms/status',
      'POST /api/webhooks/twilio/sms/fallback',
    ].map((key) => [key, 'TwiML (text/xml) for Twilio; its content is checked in the Twilio suites']),
  ),
};
/** Routes the walk does not request, with why (each is covered by its own suite). */
const NOT_REQUESTED: Record<string, string> = {
  'GET /api/stream/events': 'an endless stream',
  'GET /api/stream/conversation/{leadId}': 'an endless stream',
};
/** Operations this walk answers with a documented error, not a 2xx, and why. */
const DOCUMENTED_ERRORS: Record<string, string> = {
  'POST /api/calls/{id}/transfer': "Twilio's fake has no live call to redirect: the walk checks the documented 502 body (the 200 is in sms-takeover.e2e-spec)",
};

const PLATFORM = { accountSid: TEST_ENV.TWILIO_ACCOUNT_SID, authToken: TEST_ENV.TWILIO_AUTH_TOKEN };
const POST_SECRET = 'wsec_contract_post';
const INIT_SECRET = 'init-contract-secret';

/** OpenAPI 3.0 schema → JSON Schema with additionalProperties false wherever properties are declared. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === 'example' || k === 'examples' || k === 'nullable') continue;
    if (k === '$ref') out.$ref = `openapi${v as string}`;
    else if (k === 'properties') out.properties = Object.fromEntries(Object.entries(v as Json).map(([p, s]) => [p, toJsonSchema(s)]));
    else out[k] = toJsonSchema(v);
  }
  if (out.properties && out.additionalProperties === undefined && !out.allOf) out.additionalProperties = false;
  if ((node as Json).nullable) return { anyOf: [out, { type: 'null' }] };
  return out;
}

/** A set-up step that must work, or the walk stops with what went wrong. */
function must<T extends Json = Json>(res: LightMyRequestResponse, status: number, what: string): T {
  if (res.statusCode !== status) throw new Error(`${what}: ${res.statusCode} ${res.body}`);
  return res.json<T>();
}

async function setUp(t: TestApp, fake: FakeTwilioApi, appBaseUrl: string) {
  const tenant = await createTenant(t, { settings: { agent: { agentId: 'agent_contract' }, handoffNumber: '+14155550100' } });
  const e164 = uniquePhoneNumber();
  const twilioSid = fake.addNumber({ phoneNumber: e164 }).sid as string;
  const number = must<Created>(await t.api('POST', `/api/tenants/${tenant.id}/phone-numbers`, { phoneNumber: e164, twilioSid }), 201, 'number');
  const caller = uniquePhoneNumber();
  const call = new TwilioCallSimulator({ appBaseUrl, publicBaseUrl: TEST_ENV.PUBLIC_BASE_URL, ...PLATFORM, from: caller, to: e164 });
  const answered = await call.sendVoiceWebhook();
  expect(answered.status).toBe(200);
  const callId = answered.twiml!.connect!.stream!.parameters.callId;
  const leadId = (await t.api('GET', '/api/leads', undefined, tenant.apiKey)).json().items[0].id as string;
  const service = must<Created>(
    await t.api('POST', '/api/scheduling/services', { name: 'Haircut', durationMinutes: 30, priceCents: 2500, currency: 'EUR' }, tenant.apiKey),
    201,
    'service',
  );
  const allWeek = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ open: '00:00', close: '23:30' }]]));
  const employee = must<Created>(
    await t.api('POST', '/api/scheduling/employees', { name: 'Sam', serviceIds: [service.id], workingHours: allWeek }, tenant.apiKey),
    201,
    'employee',
  );
  const toolSecret = (await t.api('POST', `/api/tenants/${tenant.id}/tool-secret`, undefined, tenant.apiKey)).json().toolSecret as string;
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const tool = (method: InjectOptions['method'], path: string, body?: unknown) =>
    t.inject({
      method,
      url: `/api/webhooks/elevenlabs/${path}`,
      headers: { 'x-switchboard-tool-secret': toolSecret, ...(body ? { 'content-type': 'application/json' } : {}) },
      payload: body ? JSON.stringify(body) : undefined,
    });
  const book = (time: string) =>
    tool('POST', 'appointments', {
      serviceId: service.id,
      employeeId: employee.id,
      startTime: `${tomorrow}T${time}`,
      customerName: 'Jo',
      customerPhone: caller,
    });
  const appointment = must(await book('09:00'), 201, 'booking').appointment;
  const signedPost = (url: string, raw: string, secret: string) =>
    t.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', 'elevenlabs-signature': signElevenLabsPayload(raw, secret) },
      payload: raw,
    });
  const postCall = () =>
    signedPost('/api/webhooks/elevenlabs/post-call', JSON.stringify(buildPostCallTranscription({ agent_id: 'agent_contract' })), POST_SECRET);
  await postCall();
  const inbox = (await t.api('GET', '/api/webhooks/inbox')).json().items as { id: string; status: string }[];
  const twilioForm = (path: string, params: TwilioParams) => t.inject(signedTwilioForm(PLATFORM.authToken, TEST_ENV.PUBLIC_BASE_URL, path, params));
  const callParams = { CallSid: call.callSid, AccountSid: PLATFORM.accountSid, From: caller, To: e164, Direction: 'inbound' };
  return {
    tenant,
    e164,
    twilioSid,
    number,
    caller,
    call,
    callId,
    leadId,
    service,
    employee,
    appointment,
    tomorrow,
    tool,
    book,
    signedPost,
    postCall,
    inbox,
    twilioForm,
    callParams,
  };
}

/** One request per documented operation, keyed "METHOD /path" as in the document. */
function requests(t: TestApp, fake: FakeTwilioApi): Record<string, (c: Ctx) => Promise<LightMyRequestResponse>> {
  const admin = (method: InjectOptions['method'], url: string, body?: unknown) => t.api(method, url, body);
  const as = (c: Ctx) => (method: InjectOptions['method'], url: string, body?: unknown) => t.api(method, url, body, c.tenant.apiKey);
  const fresh = () => createTenant(t);
  const smsParams = (c: Ctx) => ({
    MessageSid: newTwilioSid('SM'),
    SmsSid: '',
    AccountSid: PLATFORM.accountSid,
    From: c.caller,
    To: c.e164,
    Body: 'Hello',
    NumMedia: '0',
  });
  const probes = [
    'voice',
    'elevenlabs',
    'voice/connect-action',
    'voice/fallback',
    'voice/status',
    'status',
    'voice/stream-status',
    'stream/status',
    'voice/recording',
    'sms',
    'sms/incoming',
    'sms/status',
    'sms/fallback',
    'voice/dial-action',
  ].map((p) => [`GET /api/webhooks/twilio/${p}`, () => t.inject({ method: 'GET', url: `/api/webhooks/twilio/${p}` })]);
  return {
    ...Object.fromEntries(probes),
    'GET /api/health': () => t.inject({ method: 'GET', url: '/api/health' }),
    'GET /api/health/ready': () => t.inject({ method: 'GET', url: '/api/health/ready' }),
    'GET /metrics': () => t.inject({ method: 'GET', url: '/metrics' }),
    'POST /api/stream/tokens': (c) => as(c)('POST', '/api/stream/tokens', {}),
    'POST /api/tenants': () => admin('POST', '/api/tenants', { name: 'Contract Co', settings: { agent: { agentId: 'a1' } } }),
    'GET /api/tenants': () => admin('GET', '/api/tenants?limit=3'),
    'GET /api/tenants/{id}': (c) => admin('GET', `/api/tenants/${c.tenant.id}`),
    'PATCH /api/tenants/{id}': (c) => as(c)('PATCH', `/api/tenants/${c.tenant.id}`, { timezone: 'Europe/London' }),
    'POST /api/tenants/{id}/suspend': async () => admin('POST', `/api/tenants/${(await fresh()).id}/suspend`),
    'POST /api/tenants/{id}/activate': async () => admin('POST', `/api/tenants/${(await fresh()).id}/activate`),
    'POST /api/tenants/{id}/api-keys': (c) => admin('POST', `/api/tenants/${c.tenant.id}/api-keys`, { name: 'ci' }),
    'GET /api/tenants/{id}/api-keys': (c) => as(c)('GET', `/api/tenants/${c.tenant.id}/api-keys`),
    'DELETE /api/tenants/{id}/api-keys/{keyId}': async (c) => {
      const key = (await admin('POST', `/api/tenants/${c.tenant.id}/api-keys`, { name: 'doomed' })).json();
      return admin('DELETE', `/api/tenants/${c.tenant.id}/api-keys/${key.id}`);
    },
    'POST /api/tenants/{id}/phone-numbers': (c) => admin('POST', `/api/tenants/${c.tenant.id}/phone-numbers`, { phoneNumber: uniquePhoneNumber() }),
    'GET /api/tenants/{id}/phone-numbers': (c) => as(c)('GET', `/api/tenants/${c.tenant.id}/phone-numbers`),
    'DELETE /api/tenants/{id}/phone-numbers/{numberId}': async (c) => {
      const n = (await admin('POST', `/api/tenants/${c.tenant.id}/phone-numbers`, { phoneNumber: uniquePhoneNumber() })).json();
      return admin('DELETE', `/api/tenants/${c.tenant.id}/phone-numbers/${n.id}`);
    },
    'PUT /api/tenants/{id}/twilio-credentials': async () =>
      admin('PUT', `/api/tenants/${(await fresh()).id}/twilio-credentials`, { accountSid: `AC${'ab'.repeat(16)}`, authToken: 'f'.repeat(32) }),
    'DELETE /api/tenants/{id}/twilio-credentials': async () => admin('DELETE', `/api/tenants/${(await fresh()).id}/twilio-credentials`),
    'PUT /api/tenants/{id}/elevenlabs-credentials': async () =>
      admin('PUT', `/api/tenants/${(await fresh()).id}/elevenlabs-credentials`, { apiKey: `sk_${'e'.repeat(40)}` }),
    'DELETE /api/tenants/{id}/elevenlabs-credentials': async () => admin('DELETE', `/api/tenants/${(await fresh()).id}/elevenlabs-credentials`),
    'POST /api/tenants/{id}/tool-secret': async () => {
      const other = await fresh();
      return t.api('POST', `/api/tenants/${other.id}/tool-secret`, undefined, other.apiKey);
    },
    'DELETE /api/tenants/{id}/tool-secret': async () => {
      const other = await fresh();
      await t.api('POST', `/api/tenants/${other.id}/tool-secret`, undefined, other.apiKey);
      return t.api('DELETE', `/api/tenants/${other.id}/tool-secret`, undefined, other.apiKey);
    },
    'POST /api/phone-numbers/assign': async (c) => {
      const e164 = uniquePhoneNumber();
      fake.addNumber({ phoneNumber: e164 });
      return admin('POST', '/api/phone-numbers/assign', { phoneNumber: e164, tenantId: c.tenant.id });
    },
    'DELETE /api/phone-numbers/assign': async (c) => {
      const e164 = uniquePhoneNumber();
      fake.addNumber({ phoneNumber: e164 });
      const { id } = must(await admin('POST', '/api/phone-numbers/assign', { phoneNumber: e164, tenantId: c.tenant.id }), 200, 'assign');
      return admin('DELETE', '/api/phone-numbers/assign', { phoneNumberId: id });
    },
    'GET /api/phone-numbers/webhooks': (c) => as(c)('GET', `/api/phone-numbers/webhooks?phoneNumberId=${c.number.id}`),
    'POST /api/phone-numbers/webhooks': (c) => as(c)('POST', '/api/phone-numbers/webhooks', { phoneNumberId: c.number.id }),
    'PUT /api/phone-numbers/webhooks': (c) => as(c)('PUT', '/api/phone-numbers/webhooks', {}),
    'GET /api/leads': (c) => as(c)('GET', '/api/leads'),
    'GET /api/leads/{id}': (c) => as(c)('GET', `/api/leads/${c.leadId}`),
    'PATCH /api/leads/{id}': (c) => as(c)('PATCH', `/api/leads/${c.leadId}`, { name: 'Jo Contract', notes: 'walk' }),
    'GET /api/calls': (c) => as(c)('GET', '/api/calls'),
    'GET /api/calls/{id}': (c) => as(c)('GET', `/api/calls/${c.callId}`),
    'GET /api/usage': (c) => as(c)('GET', '/api/usage'),
    'POST /api/calls/outbound': (c) => as(c)('POST', '/api/calls/outbound', { to: uniquePhoneNumber(), from: c.e164 }),
    'POST /api/elevenlabs/outbound-call': (c) => as(c)('POST', '/api/elevenlabs/outbound-call', { leadId: c.leadId, from: c.e164 }),
    'POST /api/scheduling/services': (c) => as(c)('POST', '/api/scheduling/services', { name: 'Colour', durationMinutes: 60 }),
    'GET /api/scheduling/services': (c) => as(c)('GET', '/api/scheduling/services'),
    'PATCH /api/scheduling/services/{id}': (c) => as(c)('PATCH', `/api/scheduling/services/${c.service.id}`, { description: 'Wash and cut' }),
    'POST /api/scheduling/employees': (c) =>
      as(c)('POST', '/api/scheduling/employees', { name: 'Alex', serviceIds: [c.service.id], workingHours: { mon: [{ open: '09:00', close: '17:00' }] } }),
    'GET /api/scheduling/employees': (c) => as(c)('GET', '/api/scheduling/employees'),
    'PATCH /api/scheduling/employees/{id}': (c) => as(c)('PATCH', `/api/scheduling/employees/${c.employee.id}`, { name: 'Sam B' }),
    'GET /api/scheduling/appointments': (c) => as(c)('GET', '/api/scheduling/appointments'),
    'POST /api/scheduling/appointments/{id}/cancel': async (c) =>
      as(c)('POST', `/api/scheduling/appointments/${(await c.book('11:00')).json().appointment.id}/cancel`),
    'GET /api/webhooks/inbox': () => admin('GET', '/api/webhooks/inbox'),
    'GET /api/webhooks/inbox/{id}': (c) => admin('GET', `/api/webhooks/inbox/${c.inbox[0].id}`),
    'POST /api/webhooks/inbox/{id}/retry': async (c) => {
      await c.postCall(); // an unmatched post-call event (no call has its conversation id), which may be retried
      const unmatched = ((await admin('GET', '/api/webhooks/inbox?status=unmatched')).json().items as { id: string }[])[0];
      return admin('POST', `/api/webhooks/inbox/${unmatched.id}/retry`);
    },
    'POST /api/messages/sms': (c) => as(c)('POST', '/api/messages/sms', { to: c.caller, body: 'Your quote is ready' }),
    'POST /api/twilio/send-sms': (c) => as(c)('POST', '/api/twilio/send-sms', { to: c.caller, body: 'Reminder' }),
    'POST /api/leads/{id}/human-control': (c) => as(c)('POST', `/api/leads/${c.leadId}/human-control`, { enabled: true, operator: 'Alex' }),
    'POST /api/leads/{id}/messages': (c) => as(c)('POST', `/api/leads/${c.leadId}/messages`, { body: 'Alex here, thanks for waiting.' }),
    'POST /api/calls/{id}/transfer': (c) => as(c)('POST', `/api/calls/${c.callId}/transfer`, { reason: 'wants a human' }),
    // Webhooks: signed as the providers sign.
    'POST /api/webhooks/twilio/voice': (c) => c.twilioForm('/api/webhooks/twilio/voice', { ...c.callParams, CallSid: newTwilioSid('CA') }),
    'POST /api/webhooks/twilio/elevenlabs': (c) => c.twilioForm('/api/webhooks/twilio/elevenlabs', { ...c.callParams, CallSid: newTwilioSid('CA') }),
    'POST /api/webhooks/twilio/voice/connect-action': (c) => c.twilioForm('/api/webhooks/twilio/voice/connect-action', c.callParams),
    'POST /api/webhooks/twilio/voice/fallback': (c) => c.twilioForm('/api/webhooks/twilio/voice/fallback', { ...c.callParams, ErrorCode: '11200' }),
    'POST /api/webhooks/twilio/voice/dial-action': (c) =>
      c.twilioForm('/api/webhooks/twilio/voice/dial-action', { ...c.callParams, DialCallStatus: 'completed' }),
    'POST /api/webhooks/twilio/voice/status': (c) =>
      c.twilioForm('/api/webhooks/twilio/voice/status', { ...c.callParams, CallStatus: 'ringing', SequenceNumber: '1' }),
    'POST /api/webhooks/twilio/status': (c) => c.twilioForm('/api/webhooks/twilio/status', { ...c.callParams, CallStatus: 'ringing', SequenceNumber: '2' }),
    'POST /api/webhooks/twilio/voice/stream-status': (c) =>
      c.twilioForm('/api/webhooks/twilio/voice/stream-status', {
        AccountSid: PLATFORM.accountSid,
        CallSid: c.call.callSid,
        StreamSid: newTwilioSid('MZ'),
        StreamEvent: 'stream-started',
        Timestamp: new Date().toISOString(),
      }),
    'POST /api/webhooks/twilio/stream/status': (c) =>
      c.twilioForm('/api/webhooks/twilio/stream/status', {
        AccountSid: PLATFORM.accountSid,
        CallSid: c.call.callSid,
        StreamSid: newTwilioSid('MZ'),
        StreamEvent: 'stream-stopped',
        Timestamp: new Date().toISOString(),
      }),
    'POST /api/webhooks/twilio/voice/recording': (c) =>
      c.twilioForm('/api/webhooks/twilio/voice/recording', {
        AccountSid: PLATFORM.accountSid,
        CallSid: c.call.callSid,
        RecordingSid: newTwilioSid('RE'),
        RecordingStatus: 'completed',
        RecordingUrl: 'https://api.twilio.com/rec',
        RecordingDuration: '5',
      }),
    'POST /api/webhooks/twilio/sms': (c) => c.twilioForm('/api/webhooks/twilio/sms', smsParams(c)),
    'POST /api/webhooks/twilio/sms/incoming': (c) => c.twilioForm('/api/webhooks/twilio/sms/incoming', smsParams(c)),
    'POST /api/webhooks/twilio/sms/status': (c) =>
      c.twilioForm('/api/webhooks/twilio/sms/status', { MessageSid: newTwilioSid('SM'), AccountSid: PLATFORM.accountSid, MessageStatus: 'delivered' }),
    'POST /api/webhooks/twilio/sms/fallback': (c) => c.twilioForm('/api/webhooks/twilio/sms/fallback', smsParams(c)),
    'POST /api/webhooks/elevenlabs/conversation-initiation': (c) =>
      t.inject({
        method: 'POST',
        url: '/api/webhooks/elevenlabs/conversation-initiation',
        headers: { 'content-type': 'application/json', 'x-switchboard-webhook-secret': INIT_SECRET },
        payload: JSON.stringify({ caller_id: c.caller, agent_id: 'agent_contract', called_number: c.e164, call_sid: newTwilioSid('CA') }),
      }),
    'POST /api/webhooks/elevenlabs/post-call': (c) => c.postCall(),
    'POST /api/webhooks/elevenlabs/conversation-events': (c) =>
      c.signedPost(
        '/api/webhooks/elevenlabs/conversation-events',
        JSON.stringify({ type: 'interruption', data: { conversation_id: `conv_${newTwilioSid('XX').slice(2)}` } }),
        TEST_ENV.ELEVENLABS_WEBHOOK_SECRET,
      ),
    'GET /api/webhooks/elevenlabs/services': (c) => c.tool('GET', 'services'),
    'GET /api/webhooks/elevenlabs/employees': (c) => c.tool('GET', 'employees'),
    'GET /api/webhooks/elevenlabs/availability': (c) => c.tool('GET', `availability?serviceId=${c.service.id}&date=${c.tomorrow}`),
    'GET /api/webhooks/elevenlabs/appointments': (c) => c.tool('GET', `appointments?customerPhone=${encodeURIComponent(c.caller)}`),
    'POST /api/webhooks/elevenlabs/appointments': (c) => c.book('13:00'),
  };
}

describe('OpenAPI contract walk', () => {
  let t: TestApp;
  let fake: FakeTwilioApi;
  let el: FakeElevenLabs;
  let doc: { paths: Record<string, Record<string, Op>>; components: { schemas: Json } };
  let served: { method: string; url: string }[];

  beforeAll(async () => {
    fake = await FakeTwilioApi.start({ accounts: { [PLATFORM.accountSid]: PLATFORM.authToken } });
    el = await FakeElevenLabs.start({ agents: { agent_contract: { mode: 'echo' } } });
    t = await createTestApp({
      TWILIO_API_BASE_URL: fake.baseUrl,
      ELEVENLABS_API_BASE_URL: el.baseUrl,
      ELEVENLABS_POST_CALL_WEBHOOK_SECRET: POST_SECRET,
      ELEVENLABS_CONVERSATION_INITIATION_WEBHOOK_SECRET: INIT_SECRET,
      WEBHOOK_INBOX_POLL_MS: '0',
      POST_CALL_RECONCILE_INTERVAL_MS: '0',
      WEBHOOK_DRIFT_CHECK_INTERVAL_MS: '0',
    });
    const res = await t.inject({ method: 'GET', url: '/docs-json' });
    expect(res.statusCode).toBe(200);
    doc = res.json();
    served = t.routes;
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
    await el?.stop();
  });

  it('documents every route the app serves (webhooks included)', () => {
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)));
    const undocumented = served
      .filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS' && !r.url.startsWith('/docs'))
      .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`)
      .filter((key) => !documented.has(key));
    expect(undocumented).toEqual([]);
  });

  it('declares a success schema for every operation, and a request for each', () => {
    const reqs = requests(t, fake);
    const problems: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const key = `${method.toUpperCase()} ${path}`;
        const success = Object.entries(op.responses).filter(([status]) => status.startsWith('2'));
        if (success.length === 0) problems.push(`${key}: no 2xx response declared`);
        for (const [status, response] of success) {
          if (status === '204' || NO_JSON_SCHEMA[key]) continue;
          if (!response.content?.['application/json']?.schema) problems.push(`${key}: ${status} has no application/json schema`);
        }
        if (!reqs[key] && !NOT_REQUESTED[key]) problems.push(`${key}: the walk has no request for it`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('answers every operation with a body that matches its declared schema', async () => {
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ $id: 'openapi', components: { schemas: toJsonSchema(doc.components.schemas) } });
    const ctx = await setUp(t, fake, await t.listen());
    const reqs = requests(t, fake);
    const problems: string[] = [];
    let checked = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const key = `${method.toUpperCase()} ${path}`;
        if (NOT_REQUESTED[key] || !reqs[key]) continue;
        let res: LightMyRequestResponse;
        try {
          res = await reqs[key](ctx);
        } catch (err) {
          problems.push(`${key}: the request could not be made: ${(err as Error).message}`);
          continue;
        }
        const status = String(res.statusCode);
        const declared = op.responses[status];
        const wantsError = DOCUMENTED_ERRORS[key] !== undefined;
        if (!declared) {
          problems.push(`${key}: answered ${status}, which is not declared (${res.body.slice(0, 200)})`);
          continue;
        }
        if (status.startsWith('2') === wantsError) problems.push(`${key}: answered ${status} (${res.body.slice(0, 200)})`);
        if (status === '204') {
          if (res.body !== '') problems.push(`${key}: 204 with a body`);
          continue;
        }
        const types = Object.keys(declared.content ?? {});
        const contentType = String(res.headers['content-type'] ?? '').split(';')[0];
        if (!types.includes(contentType)) problems.push(`${key}: content-type ${contentType}, declared ${types.join(', ')}`);
        const schema = declared.content?.['application/json']?.schema;
        if (contentType !== 'application/json' || !schema) continue;
        checked++;
        const validate = ajv.compile(toJsonSchema(schema) as Json);
        if (!validate(res.json())) problems.push(`${key} ${status}: ${ajv.errorsText(validate.errors, { separator: '; ' })} in ${res.body.slice(0, 300)}`);
      }
    }
    expect(problems).toEqual([]);
    // Most operations answer JSON; a walk that checked few bodies would prove little.
    expect(checked).toBeGreaterThanOrEqual(60);
  });

  it('refuses an undeclared property (the walk itself is not blind)', () => {
    const ajv = new Ajv2019({ strict: false });
    addFormats(ajv);
    ajv.addSchema({ $id: 'openapi', components: { schemas: toJsonSchema(doc.components.schemas) } });
    const validate = ajv.compile(toJsonSchema({ $ref: '#/components/schemas/TenantResponseDto' }) as Json);
    const tenant = {
      id: 'x',
      name: 'n',
      slug: 's',
      status: 'active',
      timezone: 'UTC',
      settings: {},
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    };
    expect(validate(tenant)).toBe(true);
    expect(validate({ ...tenant, twilioAuthTokenEnc: null })).toBe(false);
    expect(validate({ ...tenant, id: undefined })).toBe(false);
  });
});
