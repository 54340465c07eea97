import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { SessionTokenService } from '../../src/modules/calls/session-token.service.js';
import { type AcceptedCall, CallLifecycleEvents } from '../../src/modules/calls/call-lifecycle.events.js';
import { EVENT_BUS, type EventBus, type RealtimeEvent } from '../../src/modules/realtime/event-bus.port.js';
import { FakeElevenLabs } from '../simulators/elevenlabs/index.js';
import { newTwilioSid, TwilioCallSimulator, type TwilioCallSimulatorOptions } from '../simulators/twilio/index.js';
import { createTenant, type CreatedTenant, uniquePhoneNumber } from '../factories/tenant.factory.js';
import { createTestApp, type TestApp } from '../support/app.factory.js';
import { waitFor } from '../support/wait-for.js';
import { TEST_ENV } from '../setup/test-env.js';

// Twilio's voice entry, driven like Twilio drives it: the TwilioCallSimulator signs every request
// with the official library over the PUBLIC url (https://voice.example.test) and sends it to the
// app's real http address, as a TLS-terminating load balancer would.

const PUBLIC = TEST_ENV.PUBLIC_BASE_URL;
const PLATFORM = { accountSid: TEST_ENV.TWILIO_ACCOUNT_SID, authToken: TEST_ENV.TWILIO_AUTH_TOKEN };
const HANDOFF = '+14155550100';
const VOICE = '/api/webhooks/twilio/voice';
// Truly concurrent requests need the real PostgreSQL: the embedded database's socket server
// queues protocol messages one by one, so a transaction on one connection can break a query in
// flight on another ("unnamed prepared statement does not exist") — a test-bed limit, not ours.
const concurrently = process.env.DATABASE_URL ? it : it.skip;

interface Line {
  tenant: CreatedTenant;
  number: string;
}

describe('Twilio voice webhooks', () => {
  let t: TestApp;
  let appBaseUrl: string;
  let fake: FakeElevenLabs;
  const accepted: AcceptedCall[] = [];
  const events: RealtimeEvent[] = [];

  beforeAll(async () => {
    // Known agents only: any other agent id makes register-call answer 404.
    fake = await FakeElevenLabs.start({ agents: { agent_main: { mode: 'echo' }, agent_reg: { mode: 'echo' } } });
    t = await createTestApp({ ELEVENLABS_API_BASE_URL: fake.baseUrl });
    appBaseUrl = await t.listen();
    t.app.get(CallLifecycleEvents).onAccepted((e) => accepted.push(e));
    t.app.get<EventBus>(EVENT_BUS).subscribe((e) => events.push(e));
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  async function line(settings: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}): Promise<Line> {
    const tenant = await createTenant(t, { settings: { agent: { agentId: 'agent_main' }, ...settings }, ...overrides });
    const number = uniquePhoneNumber();
    const res = await t.api('POST', `/api/tenants/${tenant.id}/phone-numbers`, { phoneNumber: number });
    expect(res.statusCode).toBe(201);
    return { tenant, number };
  }

  const caller = (to: string, opts: Partial<TwilioCallSimulatorOptions> = {}) =>
    new TwilioCallSimulator({ appBaseUrl, publicBaseUrl: PUBLIC, ...PLATFORM, from: uniquePhoneNumber(), to, ...opts });

  const callRow = async (callSid: string) => (await t.dataSource.query(`SELECT * FROM calls WHERE twilio_call_sid = $1`, [callSid]))[0];
  const callCount = async (callSid: string) =>
    (await t.dataSource.query(`SELECT count(*)::int AS n FROM calls WHERE twilio_call_sid = $1`, [callSid]))[0].n as number;
  const usageOf = async (tenantId: string) =>
    (
      await t.dataSource.query(
        `SELECT COALESCE(sum(inbound_calls),0)::int AS calls, COALESCE(sum(inbound_seconds),0)::int AS seconds FROM usage_daily WHERE tenant_id = $1`,
        [tenantId],
      )
    )[0] as {
      calls: number;
      seconds: number;
    };
  const history = async (callSid: string) =>
    (await t.dataSource.query(`SELECT status FROM call_status_events WHERE twilio_call_sid = $1 ORDER BY received_at, status`, [callSid])).map(
      (r: { status: string }) => r.status,
    );

  describe('signature verification', () => {
    it('should accept a request signed over the public https URL while the app sees http on an internal host and port', async () => {
      const { number } = await line();
      const call = caller(number);
      // The app really is reached at http://127.0.0.1:<port>; Host even carries an internal port.
      const res = await call.postSigned(
        VOICE,
        { ...call.baseCallParams(), CallStatus: 'ringing' },
        { headers: { Host: 'switchboard.internal:8080', 'X-Forwarded-Proto': 'https' } },
      );
      expect(res.status).toBe(200);
      expect(res.twiml?.connect?.stream?.url).toBe('wss://voice.example.test/media-stream');
    });

    it('should accept a signature made over the URL with its default port', async () => {
      const { number } = await line();
      const call = caller(number);
      const res = await call.postSigned(VOICE, call.baseCallParams(), { signatureUrl: `https://voice.example.test:443${VOICE}` });
      expect(res.status).toBe(200);
    });

    it('should accept reordered and repeated fields', async () => {
      const { number } = await line();
      const call = caller(number);
      const params = Object.fromEntries(
        Object.entries({ ...call.baseCallParams(), StirVerstat: ['TN-Validation-Passed-B', 'TN-Validation-Passed-A'] }).reverse(),
      );
      const res = await call.postSigned(VOICE, params);
      expect(res.status).toBe(200);
      expect(await callCount(call.callSid)).toBe(1);
    });

    it('should refuse a signature over the http URL the app sees (403), writing nothing', async () => {
      const { number } = await line();
      const call = caller(number);
      const res = await call.postSigned(VOICE, call.baseCallParams(), { signatureUrl: `http://voice.example.test${VOICE}` });
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body)).toMatchObject({ statusCode: 403, message: 'Forbidden' });
      expect(await callCount(call.callSid)).toBe(0);
    });

    it('should refuse a field added after signing (403)', async () => {
      const { number } = await line();
      const call = caller(number);
      const res = await call.postSigned(VOICE, call.baseCallParams(), { unsignedParams: { Digits: '1' } });
      expect(res.status).toBe(403);
      expect(await callCount(call.callSid)).toBe(0);
    });

    it('should refuse a replayed signature on a changed body (403)', async () => {
      const { number } = await line();
      const call = caller(number);
      const first = await call.postSigned(VOICE, call.baseCallParams());
      expect(first.status).toBe(200);
      const other = newTwilioSid('CA');
      const replay = await call.postSigned(VOICE, { ...call.baseCallParams(), CallSid: other }, { signature: first.signature });
      expect(replay.status).toBe(403);
      expect(await callCount(other)).toBe(0);
    });

    it('should answer 401 without a signature and keep the reason in the audit log only', async () => {
      const { number } = await line();
      const call = caller(number);
      const res = await call.postSigned(VOICE, call.baseCallParams(), { signature: null });
      expect(res.status).toBe(401);
      const body = JSON.parse(res.body);
      expect(body).toMatchObject({ statusCode: 401, message: 'Unauthorized' });
      expect(JSON.stringify(body)).not.toMatch(/signature/i);
      const requestId = res.headers['x-request-id'];
      // Written without holding up the answer.
      const audit = await waitFor(async () => {
        const rows = await t.dataSource.query(`SELECT action, outcome, actor_type, actor_id, details FROM audit_logs WHERE request_id = $1`, [requestId]);
        return rows.length > 0 && rows;
      });
      expect(audit).toEqual([
        {
          action: 'twilio.webhook.rejected',
          outcome: 'denied',
          actor_type: 'provider',
          actor_id: 'twilio',
          details: expect.objectContaining({ reason: 'missing_signature' }),
        },
      ]);
      const metrics = await t.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toMatch(/webhook_signature_rejections_total\{provider="twilio",reason="missing_signature"\} [1-9]/);
    });

    it("should verify a tenant's own subaccount with its token and tie the call to that tenant", async () => {
      const { tenant, number } = await line();
      const sub = { accountSid: 'AC' + randomBytes(16).toString('hex'), authToken: randomBytes(16).toString('hex') };
      expect((await t.api('PUT', `/api/tenants/${tenant.id}/twilio-credentials`, sub)).statusCode).toBe(204);
      const call = caller(number, sub);
      const res = await call.sendVoiceWebhook();
      expect(res.status).toBe(200);
      expect(res.twiml?.connect?.stream).toBeDefined();
      expect(await callRow(call.callSid)).toMatchObject({ tenant_id: tenant.id, twilio_account_sid: sub.accountSid, status: 'ringing' });
      // The platform token cannot speak for the subaccount.
      const forged = caller(number, { accountSid: sub.accountSid, authToken: PLATFORM.authToken });
      expect((await forged.sendVoiceWebhook()).status).toBe(403);
      // A subaccount cannot route into another tenant's number: not in service, filed under its own tenant.
      const other = await line();
      const intruder = caller(other.number, sub);
      const refused = await intruder.sendVoiceWebhook();
      expect(refused.twiml?.say?.[0]).toMatch(/not in service/);
      expect(refused.twiml?.hangup).toBe(true);
      expect(await callRow(intruder.callSid)).toMatchObject({ tenant_id: tenant.id, status: 'rejected', disposition: 'unknown_number' });
    });
  });

  describe('incoming calls (bridge mode)', () => {
    it('should record the call and lead, then connect the stream with a session token', async () => {
      const { tenant, number } = await line();
      const call = caller(number);
      const res = await call.sendVoiceWebhook();
      expect(res.status).toBe(200);
      expect(String(res.headers['content-type'])).toMatch(/^text\/xml/);
      const twiml = res.twiml!;
      expect(twiml.verbs.map((v) => v.name)).toEqual(['Connect']);
      expect(twiml.connect?.action).toBe(`${PUBLIC}/api/webhooks/twilio/voice/connect-action`);
      expect(twiml.connect?.stream?.url).toBe('wss://voice.example.test/media-stream');
      expect(twiml.connect?.stream?.statusCallback).toBe(`${PUBLIC}/api/webhooks/twilio/voice/stream-status`);

      const row = await callRow(call.callSid);
      expect(row).toMatchObject({
        tenant_id: tenant.id,
        status: 'ringing',
        direction: 'inbound',
        routing_mode: 'bridge',
        agent_id: 'agent_main',
        disposition: null,
        twilio_account_sid: PLATFORM.accountSid,
      });
      const { sessionToken, callId } = twiml.connect!.stream!.parameters;
      expect(callId).toBe(row.id);
      expect(t.app.get(SessionTokenService).verify(sessionToken, call.callSid)).toMatchObject({ ok: true, claims: { tenantId: tenant.id, callId: row.id } });
      const [lead] = await t.dataSource.query(`SELECT id, phone_e164 FROM leads WHERE id = $1`, [row.lead_id]);
      expect(lead.phone_e164).toBe(call.options.from);
      expect(await history(call.callSid)).toEqual(['ringing']);
      expect(await usageOf(tenant.id)).toEqual({ calls: 1, seconds: 0 });
      const announced = accepted.find((e) => e.call.id === row.id);
      expect(announced?.tenant.id).toBe(tenant.id);
      expect(announced?.lead?.id).toBe(lead.id);
      expect(announced?.context.dynamicVariables).toMatchObject({ caller_type: 'new_caller' });
    });

    it('should publish call.incoming once when the voice webhook answers, before any status callback', async () => {
      const { tenant, number } = await line();
      const call = caller(number);
      expect((await call.sendVoiceWebhook()).status).toBe(200);
      const row = await callRow(call.callSid);
      const incoming = await waitFor(() => events.find((e) => e.type === 'call.incoming' && e.callId === row.id));
      expect(incoming).toMatchObject({
        tenantId: tenant.id,
        leadId: row.lead_id,
        data: { callId: row.id, status: 'ringing', direction: 'inbound', agentId: 'agent_main' },
      });
      expect(events.filter((e) => e.callId === row.id).map((e) => e.type)).toEqual(['call.incoming']);
      await call.sendVoiceWebhook(); // Twilio's retry: the call is not announced twice
      await new Promise((r) => setTimeout(r, 100));
      expect(events.filter((e) => e.callId === row.id && e.type === 'call.incoming')).toHaveLength(1);
    });

    it('should answer a retried webhook the same way and create nothing new', async () => {
      const { tenant, number } = await line();
      const call = caller(number);
      const first = await call.sendVoiceWebhook();
      const again = await call.sendVoiceWebhook();
      expect(again.status).toBe(200);
      expect(again.twiml?.connect?.stream?.parameters.callId).toBe(first.twiml?.connect?.stream?.parameters.callId);
      expect(again.twiml?.connect?.stream?.url).toBe(first.twiml?.connect?.stream?.url);
      expect(await callCount(call.callSid)).toBe(1);
      expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM leads WHERE tenant_id = $1`, [tenant.id]))[0].n).toBe(1);
      expect(await usageOf(tenant.id)).toEqual({ calls: 1, seconds: 0 });
    });

    concurrently('should survive concurrent duplicates without an error or a second row', async () => {
      const { tenant, number } = await line();
      const call = caller(number);
      const results = await Promise.all(Array.from({ length: 6 }, () => call.sendVoiceWebhook()));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(new Set(results.map((r) => r.twiml?.connect?.stream?.parameters.callId)).size).toBe(1);
      expect(await callCount(call.callSid)).toBe(1);
      expect(await usageOf(tenant.id)).toEqual({ calls: 1, seconds: 0 });
    });

    it('should serve numbers configured with the older /elevenlabs path', async () => {
      const { number } = await line();
      const call = caller(number);
      const res = await call.sendVoiceWebhook('/api/webhooks/twilio/elevenlabs');
      expect(res.status).toBe(200);
      expect(res.twiml?.connect?.stream?.parameters.callId).toBe((await callRow(call.callSid)).id);
    });

    it.each([
      ['without CallSid', (p: Record<string, string>) => ({ ...p, CallSid: undefined })],
      ['with a malformed CallSid', (p: Record<string, string>) => ({ ...p, CallSid: 'CA123' })],
      ['with a To that is not a phone number', (p: Record<string, string>) => ({ ...p, To: 'not-a-number' })],
      ['without To', (p: Record<string, string>) => ({ ...p, To: undefined })],
    ])('should answer 400 %s and write nothing', async (_name, mutate) => {
      const { number } = await line();
      const call = caller(number);
      const params = Object.fromEntries(Object.entries(mutate(call.baseCallParams())).filter(([, v]) => v !== undefined)) as Record<string, string>;
      const res = await call.postSigned(VOICE, params);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body).message).toMatch(/CallSid|To/);
      expect(await callCount(call.callSid)).toBe(0);
    });

    it('should tell callers of an unknown number it is not in service and keep the refusal in the audit log', async () => {
      const call = caller(uniquePhoneNumber());
      const res = await call.sendVoiceWebhook();
      expect(res.status).toBe(200);
      expect(res.twiml?.say).toEqual([expect.stringMatching(/not in service/)]);
      expect(res.twiml?.hangup).toBe(true);
      expect(await callCount(call.callSid)).toBe(0);
      const audit = await waitFor(
        async () => (await t.dataSource.query(`SELECT details FROM audit_logs WHERE action = 'twilio.call.rejected' AND resource_id = $1`, [call.callSid]))[0],
      );
      expect(audit.details).toMatchObject({ disposition: 'unknown_number' });
      expect(JSON.stringify(audit.details)).not.toContain(call.options.to); // masked
    });

    it('should refuse calls to a suspended tenant as not in service, recorded as rejected', async () => {
      const { tenant, number } = await line({ handoffNumber: HANDOFF });
      expect((await t.api('POST', `/api/tenants/${tenant.id}/suspend`)).statusCode).toBe(200);
      const call = caller(number);
      const res = await call.sendVoiceWebhook();
      expect(res.twiml?.say?.[0]).toMatch(/not in service/);
      expect(res.twiml?.hangup).toBe(true);
      expect(res.twiml?.dial).toBeUndefined();
      expect(await callRow(call.callSid)).toMatchObject({ tenant_id: tenant.id, status: 'rejected', disposition: 'suspended', lead_id: null });
    });

    it('should divert calls outside business hours to the hand-off number with the tenant message', async () => {
      // A weekday key with no intervals and every other day absent: closed all week.
      const { tenant, number } = await line(
        { businessHours: { mon: [] }, handoffNumber: HANDOFF, messages: { outOfHours: 'We are closed, putting you through.' } },
        { timezone: 'Europe/Paris' },
      );
      const call = caller(number);
      const res = await call.sendVoiceWebhook();
      expect(res.twiml?.verbs.map((v) => v.name)).toEqual(['Say', 'Dial']);
      expect(res.twiml?.say).toEqual(['We are closed, putting you through.']);
      expect(res.twiml?.dial?.number).toBe(HANDOFF);
      const row = await callRow(call.callSid);
      expect(row).toMatchObject({ tenant_id: tenant.id, status: 'rejected', disposition: 'out_of_hours' });
      expect(row.lead_id).not.toBeNull(); // a missed call is still a lead to follow up
      expect((await call.sendVoiceWebhook()).twiml?.dial?.number).toBe(HANDOFF); // a retry gets the same answer
      // The forwarded call ends: it stays 'rejected' (our decision) but its time is stored and billed.
      expect((await call.sendStatusCallback('completed', { CallDuration: '95' })).status).toBe(204);
      expect(await callRow(call.callSid)).toMatchObject({ status: 'rejected', disposition: 'out_of_hours', duration_secs: 95 });
      expect(await usageOf(tenant.id)).toEqual({ calls: 1, seconds: 95 });
    });

    it('should hang up politely over the concurrent-call quota, and admit again once a call ends', async () => {
      const { number } = await line({ quotas: { maxConcurrentCalls: 1 } });
      const first = caller(number);
      expect((await first.sendVoiceWebhook()).twiml?.connect).toBeDefined();
      const second = caller(number);
      const refused = await second.sendVoiceWebhook();
      expect(refused.twiml?.verbs.map((v) => v.name)).toEqual(['Say', 'Hangup']);
      const refusedRow = await callRow(second.callSid);
      expect(refusedRow).toMatchObject({ status: 'rejected', disposition: 'concurrency_quota' });
      // Nothing else will announce a refused call: the webhook does.
      await waitFor(() => events.find((e) => e.type === 'call.status' && e.callId === refusedRow.id && e.data.disposition === 'concurrency_quota'));
      // The retried first webhook does not count against itself.
      expect((await first.sendVoiceWebhook()).twiml?.connect).toBeDefined();
      expect((await first.sendStatusCallback('completed', { CallDuration: '5' })).status).toBe(204);
      expect((await caller(number).sendVoiceWebhook()).twiml?.connect).toBeDefined();
    });

    it('should refuse calls once the monthly minutes are used up', async () => {
      const { tenant, number } = await line({ quotas: { monthlyVoiceMinutes: 1 }, handoffNumber: HANDOFF });
      const first = caller(number);
      await first.sendVoiceWebhook();
      await first.sendStatusCallback('completed', { CallDuration: '61' });
      expect((await usageOf(tenant.id)).seconds).toBe(61);
      const second = caller(number);
      const res = await second.sendVoiceWebhook();
      expect(res.twiml?.say?.[0]).toMatch(/cannot take your call/);
      expect(res.twiml?.dial?.number).toBe(HANDOFF);
      expect(await callRow(second.callSid)).toMatchObject({ status: 'rejected', disposition: 'minutes_quota' });
    });

    it('should apologise when the tenant has no agent configured', async () => {
      const tenant = await createTenant(t, { settings: { messages: { unavailable: 'Our assistant is off today.' } } });
      const number = uniquePhoneNumber();
      await t.api('POST', `/api/tenants/${tenant.id}/phone-numbers`, { phoneNumber: number });
      const call = caller(number);
      const res = await call.sendVoiceWebhook();
      expect(res.twiml?.say).toEqual(['Our assistant is off today.']);
      expect(res.twiml?.hangup).toBe(true);
      expect(await callRow(call.callSid)).toMatchObject({ status: 'rejected', disposition: 'agent_not_configured' });
    });
  });

  describe('incoming calls (register-call mode)', () => {
    it("should return ElevenLabs' TwiML verbatim and record the call the same way", async () => {
      const { tenant, number } = await line({ routingMode: 'register-call', agent: { agentId: 'agent_reg', firstMessage: 'Hello from the test' } });
      const tenantKey = `sk_tenant_${randomBytes(12).toString('hex')}`;
      expect((await t.api('PUT', `/api/tenants/${tenant.id}/elevenlabs-credentials`, { apiKey: tenantKey })).statusCode).toBe(204);
      const call = caller(number);
      const res = await call.sendVoiceWebhook();
      expect(res.status).toBe(200);
      expect(String(res.headers['content-type'])).toMatch(/^text\/xml/);
      const registered = fake.registeredCalls.find((r) => r.from_number === call.options.from);
      expect(registered).toBeDefined();
      expect(res.body).toBe(registered!.twiml);
      expect(res.twiml?.connect?.stream?.url).toContain('/v1/convai/twilio/stream?registration_id=');
      const row = await callRow(call.callSid);
      expect(row).toMatchObject({ tenant_id: tenant.id, status: 'ringing', routing_mode: 'register-call', agent_id: 'agent_reg' });
      expect(registered).toMatchObject({ agent_id: 'agent_reg', to_number: number, direction: 'inbound', apiKey: tenantKey });
      expect(registered!.conversation_initiation_client_data).toMatchObject({
        user_id: row.id,
        dynamic_variables: expect.objectContaining({ caller_type: 'new_caller' }),
        conversation_config_override: { agent: { first_message: 'Hello from the test' } },
      });
      expect(accepted.some((e) => e.call.id === row.id)).toBe(false); // no bridge involved
    });

    it('should answer the fallback when register-call fails', async () => {
      const { number } = await line({ routingMode: 'register-call', agent: { agentId: 'agent_missing' }, handoffNumber: HANDOFF });
      const call = caller(number);
      const res = await call.sendVoiceWebhook();
      expect(res.status).toBe(200);
      expect(res.twiml?.verbs.map((v) => v.name)).toEqual(['Say', 'Dial']);
      expect(res.twiml?.dial?.number).toBe(HANDOFF);
      expect(await callRow(call.callSid)).toMatchObject({ status: 'ringing', routing_mode: 'register-call', failure_reason: 'register_call_failed' });
    });
  });

  describe('status callbacks', () => {
    it('should follow a call through its statuses, storing times, duration, SIP code and usage', async () => {
      const { tenant, number } = await line();
      const call = caller(number);
      await call.sendVoiceWebhook();
      for (const status of ['ringing', 'in-progress'] as const) expect((await call.sendStatusCallback(status)).status).toBe(204);
      const done = await call.sendStatusCallback('completed', { CallDuration: '42', SipResponseCode: '200' });
      expect(done.status).toBe(204);
      expect(done.body).toBe('');
      const row = await callRow(call.callSid);
      expect(row).toMatchObject({ status: 'completed', duration_secs: 42, sip_response_code: 200 });
      expect(row.answered_at).not.toBeNull();
      expect(row.ended_at).not.toBeNull();
      expect(await history(call.callSid)).toEqual(['ringing', 'in-progress', 'completed']);
      expect(await usageOf(tenant.id)).toEqual({ calls: 1, seconds: 42 });
      const published = await waitFor(() => {
        const mine = events.filter((e) => e.callId === row.id);
        return mine.some((e) => e.type === 'call.ended') && mine;
      });
      expect(published.map((e) => [e.type, e.data.status])).toEqual([
        ['call.incoming', 'ringing'], // announced by the voice webhook as it answers
        ['call.status', 'in-progress'], // the ringing callback changed nothing, so it published nothing
        ['call.ended', 'completed'],
      ]);
    });

    it('should never move backwards and count usage once, whatever the order and repetition', async () => {
      const { tenant, number } = await line();
      const call = caller(number);
      await call.sendVoiceWebhook();
      await call.sendStatusCallback('completed', { CallDuration: '30' });
      const before = await callRow(call.callSid);
      await call.sendStatusCallback('completed', { CallDuration: '30' }); // duplicate
      await call.sendStatusCallback('ringing'); // late
      await call.sendStatusCallback('in-progress'); // late
      await call.sendStatusCallback('canceled', { CallDuration: '0' }); // contradictory late terminal
      const row = await callRow(call.callSid);
      expect(row).toMatchObject({ status: 'completed', duration_secs: 30 });
      expect(row.ended_at).toEqual(before.ended_at);
      expect(row.answered_at).toEqual(before.answered_at); // derived from the duration when the answer event is missing
      expect(await usageOf(tenant.id)).toEqual({ calls: 1, seconds: 30 });
      expect((await history(call.callSid)).sort()).toEqual(['canceled', 'completed', 'in-progress', 'ringing']);
      const ended = await waitFor(() => events.filter((e) => e.type === 'call.ended' && e.callId === row.id));
      expect(ended).toHaveLength(1);
    });

    concurrently('should count usage once under concurrent duplicate completions', async () => {
      const { tenant, number } = await line();
      const call = caller(number);
      await call.sendVoiceWebhook();
      const results = await Promise.all(Array.from({ length: 8 }, () => call.sendStatusCallback('completed', { CallDuration: '17' })));
      expect(results.map((r) => r.status)).toEqual(Array(8).fill(204));
      expect(await usageOf(tenant.id)).toEqual({ calls: 1, seconds: 17 });
      expect((await history(call.callSid)).filter((s: string) => s === 'completed')).toHaveLength(1);
    });

    it('should accept the older /status path, ignore unknown calls, and refuse bad statuses', async () => {
      const { number } = await line();
      const call = caller(number);
      await call.sendVoiceWebhook();
      expect((await call.sendStatusCallback('in-progress', {}, '/api/webhooks/twilio/status')).status).toBe(204);
      expect((await callRow(call.callSid)).status).toBe('in-progress');
      expect((await caller(number).sendStatusCallback('completed', { CallDuration: '3' })).status).toBe(204);
      const bad = await call.postSigned('/api/webhooks/twilio/voice/status', { ...call.baseCallParams(), CallStatus: 'exploded' });
      expect(bad.status).toBe(400);
      expect((await callRow(call.callSid)).status).toBe('in-progress');
    });

    it("should not let another account's callback touch a call", async () => {
      const { number } = await line();
      const owner = await line();
      const sub = { accountSid: 'AC' + randomBytes(16).toString('hex'), authToken: randomBytes(16).toString('hex') };
      await t.api('PUT', `/api/tenants/${owner.tenant.id}/twilio-credentials`, sub);
      const call = caller(number);
      await call.sendVoiceWebhook();
      const spoof = caller(number, { ...sub, callSid: call.callSid });
      expect((await spoof.sendStatusCallback('completed', { CallDuration: '999' })).status).toBe(204);
      expect((await callRow(call.callSid)).status).toBe('ringing');
    });
  });

  describe('stream and recording callbacks', () => {
    it('should store the stream state, never going back, and the stream error', async () => {
      const { number } = await line();
      const call = caller(number);
      await call.sendVoiceWebhook();
      expect((await call.sendStreamStatus('stream-started')).status).toBe(204); // to the statusCallback of the TwiML
      expect(await callRow(call.callSid)).toMatchObject({ stream_status: 'started', stream_sid: expect.stringMatching(/^MZ/) });
      await call.sendStreamStatus('stream-error', { StreamError: 'Handshake failed' });
      await call.sendStreamStatus('stream-started'); // late duplicate
      const row = await callRow(call.callSid);
      expect(row.stream_status).toBe('error');
      expect(row.metadata).toMatchObject({ streamError: 'Handshake failed' });
    });

    it('should store the recording idempotently', async () => {
      const { number } = await line();
      const call = caller(number);
      await call.sendVoiceWebhook();
      const recordingSid = newTwilioSid('RE');
      expect((await call.sendRecordingStatus({ RecordingSid: recordingSid, RecordingDuration: '12' })).status).toBe(204);
      await call.sendRecordingStatus({ RecordingSid: recordingSid, RecordingDuration: '12' });
      await call.sendRecordingStatus({ RecordingSid: recordingSid, RecordingStatus: 'in-progress', RecordingDuration: '0' }); // late
      expect((await callRow(call.callSid)).recording).toEqual({
        sid: recordingSid,
        url: expect.stringContaining(`/Recordings/${recordingSid}`),
        durationSecs: 12,
        status: 'completed',
      });
    });
  });

  describe('connect action', () => {
    const setBridge = (callSid: string, connected: boolean, bridge: { outcome?: string; transferTo?: string }) =>
      t.dataSource.query(
        `UPDATE calls SET media_connected_at = CASE WHEN $2 THEN now() END, bridge_outcome = $3, transfer_to = $4 WHERE twilio_call_sid = $1`,
        [callSid, connected, bridge.outcome ?? null, bridge.transferTo ?? null],
      );

    it.each<[string, boolean, { outcome?: string; transferTo?: string }, string | null, string[], string | undefined]>([
      ['the stream never connected', false, {}, HANDOFF, ['Say', 'Dial'], HANDOFF],
      ['the stream never connected, no hand-off number', false, {}, null, ['Say', 'Hangup'], undefined],
      ['the agent connection failed', true, { outcome: 'upstream_failed' }, HANDOFF, ['Say', 'Dial'], HANDOFF],
      ['the conversation ended normally', true, { outcome: 'completed' }, HANDOFF, ['Hangup'], undefined],
      ['the agent asked for a transfer', true, { outcome: 'transfer' }, HANDOFF, ['Dial'], HANDOFF],
      ['the agent asked for a transfer to a given number', true, { outcome: 'transfer', transferTo: '+14155550177' }, HANDOFF, ['Dial'], '+14155550177'],
    ])('should continue the call when %s', async (_name, connected, bridge, handoff, verbs, dialled) => {
      const { number } = await line(handoff ? { handoffNumber: handoff } : {});
      const call = caller(number);
      await call.sendVoiceWebhook();
      await setBridge(call.callSid, connected, bridge);
      const res = await call.requestAction();
      expect(res.status).toBe(200);
      expect(res.twiml?.verbs.map((v) => v.name)).toEqual(verbs);
      expect(res.twiml?.dial?.number).toBe(dialled);
    });

    it('should apologise and hang up for a call it does not know', async () => {
      const call = caller(uniquePhoneNumber());
      const res = await call.postSigned('/api/webhooks/twilio/voice/connect-action', { ...call.baseCallParams(), CallStatus: 'in-progress' });
      expect(res.twiml?.verbs.map((v) => v.name)).toEqual(['Say', 'Hangup']);
    });
  });

  describe('fallback', () => {
    const fallback = (call: TwilioCallSimulator) =>
      call.postSigned('/api/webhooks/twilio/voice/fallback', {
        ...call.baseCallParams(),
        CallStatus: 'ringing',
        ErrorCode: '11200',
        ErrorUrl: `${PUBLIC}${VOICE}`,
      });

    it("should apologise and hand over to the tenant's humans", async () => {
      const { number } = await line({ handoffNumber: HANDOFF });
      const res = await fallback(caller(number));
      expect(res.status).toBe(200);
      expect(res.twiml?.verbs.map((v) => v.name)).toEqual(['Say', 'Dial']);
      expect(res.twiml?.dial?.number).toBe(HANDOFF);
    });

    it('should apologise and hang up for an unknown number', async () => {
      const res = await fallback(caller(uniquePhoneNumber()));
      expect(res.twiml?.verbs.map((v) => v.name)).toEqual(['Say', 'Hangup']);
    });

    it('should still answer promptly when the hand-off lookup hangs', async () => {
      const { number } = await line({ handoffNumber: HANDOFF });
      const blocker = t.dataSource.createQueryRunner();
      await blocker.connect();
      await blocker.startTransaction();
      try {
        await blocker.query('LOCK TABLE phone_numbers IN ACCESS EXCLUSIVE MODE');
        const started = Date.now();
        const res = await fallback(caller(number));
        expect(Date.now() - started).toBeLessThan(4_000);
        expect(res.status).toBe(200);
        expect(res.twiml?.verbs.map((v) => v.name)).toEqual(['Say', 'Hangup']);
      } finally {
        await blocker.rollbackTransaction();
        await blocker.release();
      }
    });
  });

  it('should answer GET on every webhook path with a small health answer', async () => {
    for (const path of ['voice', 'elevenlabs', 'voice/status', 'status', 'voice/connect-action', 'voice/fallback', 'voice/recording', 'voice/stream-status']) {
      const res = await t.inject({ method: 'GET', url: `/api/webhooks/twilio/${path}` });
      expect({ path, status: res.statusCode, body: res.json() }).toEqual({ path, status: 200, body: { status: 'ok', accepts: expect.any(String) } });
    }
  });
});

describe('Twilio voice webhooks with the database down', () => {
  let t: TestApp;
  let appBaseUrl: string;

  beforeAll(async () => {
    t = await createTestApp();
    appBaseUrl = await t.listen();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('should keep answering callers, and refuse status callbacks with 503', async () => {
    const tenant = await createTenant(t, { settings: { agent: { agentId: 'agent_main' }, handoffNumber: HANDOFF } });
    const number = uniquePhoneNumber();
    await t.api('POST', `/api/tenants/${tenant.id}/phone-numbers`, { phoneNumber: number });
    const caller = (to: string) => new TwilioCallSimulator({ appBaseUrl, publicBaseUrl: PUBLIC, ...PLATFORM, from: uniquePhoneNumber(), to });
    const warm = caller(number);
    expect((await warm.sendVoiceWebhook()).twiml?.connect).toBeDefined();

    // The database goes away: every query now fails at once.
    await t.dataSource.destroy();

    const during = caller(number);
    const voice = await during.sendVoiceWebhook();
    expect(voice.status).toBe(200);
    expect(voice.twiml?.verbs.map((v) => v.name)).toEqual(['Say', 'Dial']);
    expect(voice.twiml?.dial?.number).toBe(HANDOFF);

    const stranger = await caller(uniquePhoneNumber()).sendVoiceWebhook();
    expect(stranger.status).toBe(200);
    expect(stranger.twiml?.verbs.map((v) => v.name)).toEqual(['Say', 'Hangup']);

    const fb = await during.postSigned('/api/webhooks/twilio/voice/fallback', {
      ...during.baseCallParams(),
      ErrorCode: '11205',
      ErrorUrl: `${PUBLIC}${VOICE}`,
    });
    expect(fb.status).toBe(200);
    expect(fb.twiml?.dial?.number).toBe(HANDOFF);

    const action = await warm.requestAction();
    expect(action.twiml?.verbs.map((v) => v.name)).toEqual(['Say', 'Hangup']);

    const status = await warm.sendStatusCallback('completed', { CallDuration: '12' });
    expect(status.status).toBe(503);
  });
});
