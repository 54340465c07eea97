import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { createTenant, uniquePhoneNumber } from '../factories/tenant.factory.js';
import { TEST_ENV } from '../setup/test-env.js';
import { buildPostCallTranscription, FakeElevenLabs, signElevenLabsPayload } from '../simulators/elevenlabs/index.js';
import { encodeForm, FakeTwilioApi, newTwilioSid, signedTwilioForm, TwilioCallSimulator, type TwilioParams } from '../simulators/twilio/index.js';
import { createTestApp, type TestApp } from '../support/app.factory.js';
import { withFreshDatabase } from '../support/fresh-database.js';
import { hostileBody, hostileForm, hostileQuery, toJsonText, type Tree } from '../support/hostile.js';

// Property-based fuzzing (issue #13): hostile bodies for every webhook route (signed exactly as
// the providers sign, so they reach the handlers) and every API route that takes a body, against
// the real app on a real database of its own. For each case: no 5xx, and a refusal (4xx) wrote
// nothing (a fingerprint of every table is the same before and after). Afterwards the service is
// still ready and still serves a normal request.
//
// FUZZ_RUNS cases per route (default 12 in `npm test`; `npm run test:fuzz` runs 300, about 10 minutes). FUZZ_SEED
// replays a run (a failure reports its seed), FUZZ_ONLY="post-call" fuzzes only the matching routes,
// FUZZ_DUMP=<file> appends every refused case and its answer to that file as JSON lines.

const RUNS = Number(process.env.FUZZ_RUNS ?? 12);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
/** Only the routes whose "METHOD /path" contains this text (to chase one failure). */
const ONLY = process.env.FUZZ_ONLY;
const PLATFORM = { accountSid: TEST_ENV.TWILIO_ACCOUNT_SID, authToken: TEST_ENV.TWILIO_AUTH_TOKEN };
const POST_SECRET = 'wsec_fuzz_post';
const INIT_SECRET = 'init-fuzz-secret';

type Json = Record<string, unknown>;
/** A resource the API created: its id goes into URLs and bodies. */
type Created = Json & { id: string };
type Case = { method: InjectOptions['method']; url: string; headers: Record<string, string>; payload?: string };
interface Target {
  /** "METHOD /path" as in the OpenAPI document. */
  op: string;
  kind: 'api' | 'webhook';
  cases: fc.Arbitrary<Case>;
  /** The unmutated request the cases start from: it must succeed, or the fuzzing tests only validation. */
  valid?: Case;
  /** Runs after a case that succeeded (e.g. ends the call it answered). */
  after?: (req: Case) => Promise<void>;
}

describe('Fuzzing every route that takes input (e2e)', () => {
  let t: TestApp;
  let twilio: FakeTwilioApi;
  let el: FakeElevenLabs;
  let close: () => Promise<void>;
  const stats = { cases: 0, byStatus: new Map<number, number>() };

  beforeAll(async () => {
    twilio = await FakeTwilioApi.start({ accounts: { [PLATFORM.accountSid]: PLATFORM.authToken } });
    el = await FakeElevenLabs.start({ agents: { agent_fuzz: { mode: 'echo', pingIntervalMs: 0, textReply: (text) => `re ${text}` } } });
    const env = {
      TWILIO_API_BASE_URL: twilio.baseUrl,
      ELEVENLABS_API_BASE_URL: el.baseUrl,
      ELEVENLABS_POST_CALL_WEBHOOK_SECRET: POST_SECRET,
      ELEVENLABS_CONVERSATION_INITIATION_WEBHOOK_SECRET: INIT_SECRET,
      WEBHOOK_INBOX_POLL_MS: '0',
      POST_CALL_RECONCILE_INTERVAL_MS: '0',
      WEBHOOK_DRIFT_CHECK_INTERVAL_MS: '0',
      OUTBOUND_CALLS_PER_SECOND: '50', // queued outbound calls are dispatched within ~20 ms, before the next case
    };
    // A database of its own on PostgreSQL, so the fingerprint sees only this suite's writes
    // (embedded PGlite is already one database per app).
    const base = process.env.SWITCHBOARD_TEST_BASE_DATABASE_URL;
    if (base) {
      let release!: () => void;
      const done = new Promise<void>((resolve) => (release = resolve));
      const ready = new Promise<TestApp>((resolve, reject) => {
        void withFreshDatabase(base, 'switchboard_fuzz', async (url) => {
          try {
            resolve(await createTestApp({ ...env, DATABASE_URL: url }));
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
            return;
          }
          await done;
        });
      });
      t = await ready;
      close = async () => {
        await t.close();
        release();
      };
    } else {
      t = await createTestApp(env);
      close = () => t.close();
    }
  });

  afterAll(async () => {
    await close?.();
    await twilio?.stop();
    await el?.stop();
    if (stats.cases) console.log(`fuzz: ${stats.cases} cases, by status ${JSON.stringify(Object.fromEntries([...stats.byStatus].sort()))}`);
  });

  /**
   * Row count and a hash of every row of every table: equal before and after = nothing written.
   * The audit trail is meant to record refusals (outcome `failure` or `denied`), so only its
   * `success` rows count: a refusal that audited itself as a success would show. An API key's
   * `last_used_at` is touched by authentication (at most once a minute), whatever the answer.
   */
  async function fingerprint(): Promise<string> {
    const tables = await t.dataSource.query<{ tablename: string }[]>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations' ORDER BY tablename`,
    );
    const sql = tables
      .map(({ tablename }) => {
        const where = tablename === 'audit_logs' ? ` WHERE x.outcome = 'success'` : '';
        const row = tablename === 'tenant_api_keys' ? `(to_jsonb(x) - 'last_used_at')::text` : 'x::text';
        return `SELECT '${tablename}' AS t, count(*)::int AS n, md5(coalesce(string_agg(md5(${row}), ',' ORDER BY md5(${row})), '')) AS h FROM "${tablename}" x${where}`;
      })
      .join(' UNION ALL ');
    const rows = await t.dataSource.query<{ t: string; n: number; h: string }[]>(sql);
    return rows.map((r) => `${r.t}:${r.n}:${r.h}`).join('\n');
  }

  /** Waits until the background work a previous request started has been written. */
  async function quiet(): Promise<string> {
    let last = await fingerprint();
    for (let i = 0; i < 40; i++) {
      await new Promise((resolve) => setTimeout(resolve, 60));
      const now = await fingerprint();
      if (now === last) return now;
      last = now;
    }
    return last;
  }

  const changedTables = (before: string, after: string) => {
    const b = new Set(before.split('\n'));
    return after
      .split('\n')
      .filter((line) => !b.has(line))
      .map((line) => line.split(':')[0]);
  };

  async function setUp() {
    const tenant = await createTenant(t, { settings: { agent: { agentId: 'agent_fuzz' }, handoffNumber: '+14155550100' } });
    const spare = await createTenant(t); // for the routes that change a whole tenant
    const unprovisioned = await createTenant(t); // keeps the platform's Twilio account (spare's credentials are fuzzed)
    const e164 = uniquePhoneNumber();
    const twilioSid = twilio.addNumber({ phoneNumber: e164 }).sid as string;
    const numberRes = await t.api('POST', `/api/tenants/${tenant.id}/phone-numbers`, { phoneNumber: e164, twilioSid });
    if (numberRes.statusCode !== 201) throw new Error(`number: ${numberRes.body}`);
    const number = numberRes.json<Created>();
    // The caller's first call makes the lead; it ends at once, so its pre-opened conversation
    // leaves nothing to write later (background writes would blur the nothing-written check).
    const caller = uniquePhoneNumber();
    const appBaseUrl = await t.listen();
    const first = new TwilioCallSimulator({ appBaseUrl, publicBaseUrl: TEST_ENV.PUBLIC_BASE_URL, ...PLATFORM, from: caller, to: e164 });
    const answered = await first.sendVoiceWebhook();
    if (!answered.twiml?.connect?.stream) throw new Error(`voice webhook: ${answered.status} ${answered.body}`);
    await first.sendStatusCallback('completed');
    // A live call Twilio's fake knows (so a transfer can redirect it), in progress with its media
    // on another instance, as the takeover suite sets one up.
    const created = await fetch(`${twilio.baseUrl}/2010-04-01/Accounts/${PLATFORM.accountSid}/Calls.json`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${PLATFORM.accountSid}:${PLATFORM.authToken}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: encodeForm({ To: e164, From: caller, Url: 'https://example.test/x' }),
    });
    const callSid = ((await created.json()) as { sid: string }).sid;
    twilio.setCallStatus(callSid, 'in-progress');
    const [live] = await t.dataSource.query<{ id: string }[]>(
      `INSERT INTO calls (tenant_id, twilio_call_sid, twilio_account_sid, direction, from_number, to_number, status, routing_mode, media_connected_at)
       VALUES ($1, $2, $3, 'inbound', $4, $5, 'in-progress', 'bridge', now()) RETURNING id`,
      [tenant.id, callSid, PLATFORM.accountSid, caller, e164],
    );
    const call = new TwilioCallSimulator({ appBaseUrl, publicBaseUrl: TEST_ENV.PUBLIC_BASE_URL, ...PLATFORM, from: caller, to: e164, callSid });
    const callId = live.id;
    const leadId = (await t.api('GET', '/api/leads', undefined, tenant.apiKey)).json().items[0].id as string;
    const service = (
      await t.api('POST', '/api/scheduling/services', { name: 'Haircut', durationMinutes: 30, priceCents: 2500, currency: 'EUR' }, tenant.apiKey)
    ).json<Created>();
    const allWeek = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ open: '00:00', close: '23:30' }]]));
    const employee = (
      await t.api('POST', '/api/scheduling/employees', { name: 'Sam', serviceIds: [service.id], workingHours: allWeek }, tenant.apiKey)
    ).json<Created>();
    const doomedE164 = uniquePhoneNumber();
    const doomed = (
      await t.api('POST', `/api/tenants/${unprovisioned.id}/phone-numbers`, {
        phoneNumber: doomedE164,
        twilioSid: twilio.addNumber({ phoneNumber: doomedE164 }).sid,
      })
    ).json<Created>();
    const toolSecret = (await t.api('POST', `/api/tenants/${tenant.id}/tool-secret`, undefined, tenant.apiKey)).json().toolSecret as string;
    const conversationId = `conv_${newTwilioSid('XX').slice(2)}`;
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    return {
      tenant,
      spare,
      unprovisioned,
      doomed,
      e164,
      twilioSid,
      number,
      caller,
      call,
      callId,
      appBaseUrl,
      leadId,
      service,
      employee,
      toolSecret,
      conversationId,
      tomorrow,
    };
  }
  type Ctx = Awaited<ReturnType<typeof setUp>>;

  /** Request-body property names the OpenAPI document declares for an operation. */
  function declaredFields(doc: Json, op: string): string[] {
    const [method, path] = op.split(' ');
    const paths = doc.paths as Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: Json }> } }>>;
    let schema = paths[path]?.[method.toLowerCase()]?.requestBody?.content?.['application/json']?.schema;
    const ref = schema?.$ref as string | undefined;
    if (ref) schema = (doc.components as { schemas: Record<string, Json> }).schemas[ref.split('/').pop()!];
    return Object.keys((schema?.properties as Json | undefined) ?? {});
  }

  function targets(doc: Json, c: Ctx): Target[] {
    const bearer = (key: string) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });
    const json = (op: string, url: string, seed: Json, key: string): Target => {
      const request = (body: unknown): Case => ({ method: op.split(' ')[0], url, headers: bearer(key), payload: toJsonText(body) });
      return { op, kind: 'api', cases: hostileBody(seed, declaredFields(doc, op)).map(request), valid: request(seed) };
    };
    const admin = t.adminKey;
    const own = c.tenant.apiKey;
    const twilioForm = (path: string, seed: () => Record<string, string>, extra: string[] = [], after?: Target['after']): Target => ({
      op: `POST ${path}`,
      kind: 'webhook',
      after,
      cases: fc
        .constant(null)
        .chain(() => hostileForm(seed(), extra)) // fresh SIDs for every case
        .map((params: TwilioParams): Case => signedTwilioForm(PLATFORM.authToken, TEST_ENV.PUBLIC_BASE_URL, path, params)),
    });
    // An answered call is hung up at once, so its pre-opened conversation does not end 10 s later
    // in the middle of another case.
    const hangUp = async (req: Case) => {
      const sid = new URLSearchParams(req.payload).get('CallSid');
      if (!sid) return;
      const sim = new TwilioCallSimulator({
        appBaseUrl: c.appBaseUrl,
        publicBaseUrl: TEST_ENV.PUBLIC_BASE_URL,
        ...PLATFORM,
        from: c.caller,
        to: c.e164,
        callSid: sid,
      });
      await sim.sendStatusCallback('completed');
    };
    const callParams = () => ({
      CallSid: newTwilioSid('CA'),
      AccountSid: PLATFORM.accountSid,
      From: c.caller,
      To: c.e164,
      Direction: 'inbound',
      CallStatus: 'ringing',
    });
    const liveCall = () => ({ ...callParams(), CallSid: c.call.callSid });
    const sms = () => ({
      MessageSid: newTwilioSid('SM'),
      SmsSid: newTwilioSid('SM'),
      AccountSid: PLATFORM.accountSid,
      From: uniquePhoneNumber(),
      To: c.e164,
      Body: 'Hello',
      NumMedia: '0',
      NumSegments: '1',
    });
    const stream = () => ({
      AccountSid: PLATFORM.accountSid,
      CallSid: c.call.callSid,
      StreamSid: newTwilioSid('MZ'),
      StreamEvent: 'stream-started',
      Timestamp: new Date().toISOString(),
    });
    const signed = (path: string, secret: string, body: fc.Arbitrary<Tree>): Target => ({
      op: `POST ${path}`,
      kind: 'webhook',
      cases: body.map((b) => {
        const raw = toJsonText(b);
        return {
          method: 'POST',
          url: path,
          headers: { 'content-type': 'application/json', 'elevenlabs-signature': signElevenLabsPayload(raw, secret) },
          payload: raw,
        };
      }),
    });
    const postCall = () => buildPostCallTranscription({ agent_id: 'agent_fuzz', conversation_id: c.conversationId }) as unknown as Json;
    const postCallSeed = postCall();
    const data = postCallSeed.data as Json;
    const withData = (d: Tree) => ({ ...postCall(), data: d }) as Tree;
    const tool = (method: 'GET' | 'POST', path: string, cases: fc.Arbitrary<{ query?: string; body?: Tree }>): Target => ({
      op: `${method} /api/webhooks/elevenlabs/${path}`,
      kind: 'webhook',
      cases: cases.map(({ query, body }) => ({
        method,
        url: `/api/webhooks/elevenlabs/${path}${query ? `?${query}` : ''}`,
        headers: { 'x-switchboard-tool-secret': c.toolSecret, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        payload: body === undefined ? undefined : toJsonText(body),
      })),
    });
    const booking = {
      serviceId: c.service.id,
      employeeId: c.employee.id,
      startTime: `${c.tomorrow}T09:00`,
      customerName: 'Jo',
      customerPhone: c.caller,
      customerEmail: 'jo@example.com',
      notes: 'n',
    };

    return [
      // The API: every operation with a JSON body.
      json('POST /api/tenants', '/api/tenants', { name: 'Fuzz Co', slug: 'fuzz-co', timezone: 'Europe/Berlin', settings: { agent: { agentId: 'a1' } } }, admin),
      json(
        'PATCH /api/tenants/{id}',
        `/api/tenants/${c.spare.id}`,
        { name: 'Spare', timezone: 'Europe/London', settings: { handoffNumber: '+14155550101' } },
        admin,
      ),
      json('POST /api/tenants/{id}/api-keys', `/api/tenants/${c.spare.id}/api-keys`, { name: 'ci' }, admin),
      json(
        'POST /api/tenants/{id}/phone-numbers',
        `/api/tenants/${c.spare.id}/phone-numbers`,
        { phoneNumber: uniquePhoneNumber(), capabilities: { voice: true, sms: true, whatsapp: false } },
        admin,
      ),
      json(
        'PUT /api/tenants/{id}/twilio-credentials',
        `/api/tenants/${c.spare.id}/twilio-credentials`,
        { accountSid: `AC${'ab'.repeat(16)}`, authToken: 'f'.repeat(32) },
        admin,
      ),
      json('PUT /api/tenants/{id}/elevenlabs-credentials', `/api/tenants/${c.spare.id}/elevenlabs-credentials`, { apiKey: `sk_${'e'.repeat(40)}` }, admin),
      json(
        'POST /api/phone-numbers/assign',
        '/api/phone-numbers/assign',
        {
          phoneNumber: twilio.addNumber({ phoneNumber: uniquePhoneNumber() }).phone_number,
          tenantId: c.unprovisioned.id,
          agentId: 'agent_fuzz',
          enableSms: true,
        },
        admin,
      ),
      json('DELETE /api/phone-numbers/assign', '/api/phone-numbers/assign', { phoneNumberId: c.doomed.id }, admin),
      json('POST /api/phone-numbers/webhooks', '/api/phone-numbers/webhooks', { phoneNumberId: c.number.id }, own),
      json('PUT /api/phone-numbers/webhooks', '/api/phone-numbers/webhooks', { agentId: 'agent_fuzz' }, own),
      json('POST /api/stream/tokens', '/api/stream/tokens', { leadId: c.leadId }, own),
      json('PATCH /api/leads/{id}', `/api/leads/${c.leadId}`, { name: 'Jo', email: 'jo@example.com', notes: 'fuzz', status: 'qualified' }, own),
      json('POST /api/calls/outbound', '/api/calls/outbound', { to: uniquePhoneNumber(), from: c.e164 }, own),
      json('POST /api/elevenlabs/outbound-call', '/api/elevenlabs/outbound-call', { leadId: c.leadId, from: c.e164 }, own),
      json(
        'POST /api/scheduling/services',
        '/api/scheduling/services',
        { name: 'Colour', durationMinutes: 60, priceCents: 5000, currency: 'EUR', description: 'd' },
        own,
      ),
      json('PATCH /api/scheduling/services/{id}', `/api/scheduling/services/${c.service.id}`, { description: 'Wash and cut', durationMinutes: 45 }, own),
      json(
        'POST /api/scheduling/employees',
        '/api/scheduling/employees',
        { name: 'Alex', serviceIds: [c.service.id], workingHours: { mon: [{ open: '09:00', close: '17:00' }] } },
        own,
      ),
      json(
        'PATCH /api/scheduling/employees/{id}',
        `/api/scheduling/employees/${c.employee.id}`,
        { name: 'Sam B', active: true, workingHours: { tue: [{ open: '08:00', close: '12:00' }] } },
        own,
      ),
      json('POST /api/messages/sms', '/api/messages/sms', { to: c.caller, body: 'Your quote is ready' }, own),
      json('POST /api/twilio/send-sms', '/api/twilio/send-sms', { to: c.caller, body: 'Reminder' }, own),
      json('POST /api/leads/{id}/human-control', `/api/leads/${c.leadId}/human-control`, { enabled: true, operator: 'Alex' }, own),
      json('POST /api/leads/{id}/messages', `/api/leads/${c.leadId}/messages`, { body: 'Alex here.' }, own),
      json('POST /api/calls/{id}/transfer', `/api/calls/${c.callId}/transfer`, { reason: 'wants a human', to: '+14155550100' }, own),
      // Twilio's webhooks, signed with the account's token over exactly what is sent.
      twilioForm('/api/webhooks/twilio/voice', callParams, ['CallerName', 'FromCountry'], hangUp),
      twilioForm('/api/webhooks/twilio/elevenlabs', callParams, [], hangUp),
      twilioForm('/api/webhooks/twilio/voice/connect-action', liveCall, ['ErrorCode']),
      twilioForm('/api/webhooks/twilio/voice/fallback', () => ({ ...liveCall(), ErrorCode: '11200', ErrorUrl: 'https://example.com' })),
      twilioForm('/api/webhooks/twilio/voice/dial-action', () => ({ ...liveCall(), DialCallStatus: 'completed', DialCallDuration: '12' })),
      twilioForm('/api/webhooks/twilio/voice/status', () => ({
        ...callParams(),
        CallStatus: 'completed',
        CallDuration: '42',
        SequenceNumber: '3',
        Timestamp: new Date().toUTCString(),
      })),
      twilioForm('/api/webhooks/twilio/status', () => ({ ...liveCall(), CallStatus: 'in-progress', SequenceNumber: '2' })),
      twilioForm('/api/webhooks/twilio/voice/stream-status', stream, ['StreamError']),
      twilioForm('/api/webhooks/twilio/stream/status', () => ({ ...stream(), StreamEvent: 'stream-stopped' })),
      twilioForm('/api/webhooks/twilio/voice/recording', () => ({
        AccountSid: PLATFORM.accountSid,
        CallSid: c.call.callSid,
        RecordingSid: newTwilioSid('RE'),
        RecordingStatus: 'completed',
        RecordingUrl: 'https://api.twilio.com/rec',
        RecordingDuration: '5',
        RecordingChannels: '1',
        RecordingStartTime: new Date().toUTCString(),
      })),
      twilioForm('/api/webhooks/twilio/sms', sms, ['MediaUrl0', 'MediaContentType0', 'ProfileName', 'WaId']),
      twilioForm('/api/webhooks/twilio/sms/incoming', sms),
      twilioForm('/api/webhooks/twilio/sms/status', () => ({
        MessageSid: newTwilioSid('SM'),
        AccountSid: PLATFORM.accountSid,
        MessageStatus: 'delivered',
        ErrorCode: '',
      })),
      twilioForm('/api/webhooks/twilio/sms/fallback', sms),
      // ElevenLabs' webhooks (HMAC-signed or with the configured secret) and server tools.
      {
        op: 'POST /api/webhooks/elevenlabs/conversation-initiation',
        kind: 'webhook',
        cases: hostileBody({ caller_id: c.caller, agent_id: 'agent_fuzz', called_number: c.e164, call_sid: newTwilioSid('CA') }, []).map((b) => ({
          method: 'POST',
          url: '/api/webhooks/elevenlabs/conversation-initiation',
          headers: { 'content-type': 'application/json', 'x-switchboard-webhook-secret': INIT_SECRET },
          payload: toJsonText(b),
        })),
      },
      signed('/api/webhooks/elevenlabs/post-call', POST_SECRET, fc.oneof(hostileBody(postCallSeed, []), hostileBody(data, []).map(withData))),
      signed(
        '/api/webhooks/elevenlabs/conversation-events',
        TEST_ENV.ELEVENLABS_WEBHOOK_SECRET,
        fc.oneof(
          hostileBody(
            { type: 'user_transcript', event_timestamp: Math.floor(Date.now() / 1000), data: { conversation_id: c.conversationId, user_transcript: 'hi' } },
            [],
          ),
          hostileBody({ conversation_id: c.conversationId, tool_name: 'x', text: 'hi' }, []).map((d) => ({
            type: 'agent_response',
            event_timestamp: Math.floor(Date.now() / 1000),
            data: d,
          })),
        ),
      ),
      tool(
        'GET',
        'services',
        hostileQuery({ q: 'cut' }).map((query) => ({ query })),
      ),
      tool(
        'GET',
        'employees',
        hostileQuery({ serviceId: String(c.service.id) }).map((query) => ({ query })),
      ),
      tool(
        'GET',
        'availability',
        hostileQuery({ serviceId: String(c.service.id), date: c.tomorrow, employeeId: String(c.employee.id) }).map((query) => ({ query })),
      ),
      tool(
        'GET',
        'appointments',
        hostileQuery({ customerPhone: c.caller }).map((query) => ({ query })),
      ),
      tool(
        'POST',
        'appointments',
        hostileBody(booking, declaredFields(doc, 'POST /api/webhooks/elevenlabs/appointments')).map((body) => ({ body })),
      ),
    ];
  }

  it(`should answer ${RUNS} hostile bodies per route without a 5xx, writing nothing when it refuses`, async () => {
    const doc = (await t.inject({ method: 'GET', url: '/docs-json' })).json<Json>();
    const c = await setUp();
    const all = targets(doc, c);

    // Every documented operation that takes a body (or is a provider webhook) is fuzzed here.
    const paths = doc.paths as Record<string, Record<string, { requestBody?: unknown }>>;
    const takesInput = Object.entries(paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(
          ([method, op]) =>
            op.requestBody !== undefined ||
            (path.startsWith('/api/webhooks/') && !path.startsWith('/api/webhooks/inbox') && !(method === 'get' && path.startsWith('/api/webhooks/twilio/'))),
        )
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    const fuzzed = new Set(all.map((x) => x.op));
    expect(takesInput.filter((op) => !fuzzed.has(op))).toEqual([]);

    const failures: string[] = [];
    for (const target of all.filter((x) => x.valid)) {
      const res = await t.inject(target.valid!);
      if (res.statusCode >= 400) failures.push(`seed of ${target.op} refused: ${res.statusCode} ${res.body.slice(0, 300)}`);
    }
    expect(failures).toEqual([]);
    for (const target of all.filter((x) => !ONLY || x.op.includes(ONLY))) {
      let before = await quiet();
      const run = await fc.check(
        fc.asyncProperty(target.cases, async (req) => {
          const res: LightMyRequestResponse = await t.inject(req);
          stats.cases++;
          stats.byStatus.set(res.statusCode, (stats.byStatus.get(res.statusCode) ?? 0) + 1);
          const where = `${target.op} ${res.statusCode} for ${String(req.payload ?? req.url).slice(0, 300)}: ${res.body.slice(0, 300)}`;
          if (process.env.FUZZ_DUMP && res.statusCode >= 400) {
            const { appendFileSync } = await import('node:fs');
            appendFileSync(process.env.FUZZ_DUMP, JSON.stringify({ op: target.op, status: res.statusCode, req, body: res.body }) + '\n');
          }
          if (res.statusCode >= 500) throw new Error(`5xx: ${where}`);
          if (res.statusCode >= 400) {
            const after = target.kind === 'api' ? await fingerprint() : await quiet();
            const changed = changedTables(before, after);
            if (changed.length) throw new Error(`refused but wrote ${changed.join(', ')}: ${where}`);
            before = after;
          } else {
            await target.after?.(req);
            before = await quiet();
          }
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
      if (run.failed) failures.push(`${(run.errorInstance as Error | undefined)?.message ?? 'failed'} (seed ${run.seed}, path ${run.counterexamplePath})`);
    }
    expect(failures).toEqual([]);

    expect((await t.inject({ method: 'GET', url: '/api/health/ready' })).statusCode).toBe(200);
    expect((await t.api('GET', `/api/leads/${c.leadId}`, undefined, c.tenant.apiKey)).statusCode).toBe(200);
    expect((await c.call.sendStatusCallback('completed')).status).toBeLessThan(300);
  }, 900_000);
});
