import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type AcceptedCall, CallLifecycleEvents } from '../../src/modules/calls/call-lifecycle.events.js';
import { OutboundDispatcherService } from '../../src/modules/outbound-calls/outbound-dispatcher.service.js';
import { EVENT_BUS, type EventBus, type RealtimeEvent } from '../../src/modules/realtime/event-bus.port.js';
import { QuotaService } from '../../src/modules/usage/quota.service.js';
import { UsageService } from '../../src/modules/usage/usage.service.js';
import { createTenant, type CreatedTenant, uniquePhoneNumber } from '../factories/tenant.factory.js';
import { TEST_ENV } from '../setup/test-env.js';
import { FakeElevenLabs } from '../simulators/elevenlabs/index.js';
import { FakeTwilioApi, TwilioCallSimulator } from '../simulators/twilio/index.js';
import { createTestApp, type TestApp } from '../support/app.factory.js';
import { waitFor } from '../support/wait-for.js';

// Outbound calls end to end: API → queue → dispatcher → the official twilio client against the
// stateful FakeTwilioApi (which records the create form) → Twilio's voice webhook for the call
// (TwilioCallSimulator, signed) → bridge TwiML; plus the quotas and their alerts.

const PUBLIC = TEST_ENV.PUBLIC_BASE_URL;
const PLATFORM = { accountSid: TEST_ENV.TWILIO_ACCOUNT_SID, authToken: TEST_ENV.TWILIO_AUTH_TOKEN };
const RATE = 5; // calls per second → 200 ms apart

interface Line {
  tenant: CreatedTenant;
  number: string;
}

describe('Outbound calls and usage limits', () => {
  let t: TestApp;
  let fake: FakeTwilioApi;
  let el: FakeElevenLabs;
  let appBaseUrl: string;
  const accepted: AcceptedCall[] = [];
  const alerts: RealtimeEvent[] = [];

  beforeAll(async () => {
    fake = await FakeTwilioApi.start({ accounts: { [PLATFORM.accountSid]: PLATFORM.authToken } });
    el = await FakeElevenLabs.start({ agents: { agent_out: { mode: 'echo' } } });
    t = await createTestApp({
      TWILIO_API_BASE_URL: fake.baseUrl,
      ELEVENLABS_API_BASE_URL: el.baseUrl,
      OUTBOUND_CALLS_PER_SECOND: String(RATE),
      WEBHOOK_DRIFT_CHECK_INTERVAL_MS: '0',
    });
    appBaseUrl = await t.listen();
    t.app.get(CallLifecycleEvents).onAccepted((e) => accepted.push(e));
    t.app.get<symbol, EventBus>(EVENT_BUS).subscribe((e) => e.type === 'alert' && alerts.push(e));
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
    await el?.stop();
  });

  async function line(settings: Record<string, unknown> = {}): Promise<Line> {
    const tenant = await createTenant(t, { settings: { agent: { agentId: 'agent_out' }, ...settings } });
    const number = uniquePhoneNumber();
    const res = await t.api('POST', `/api/tenants/${tenant.id}/phone-numbers`, { phoneNumber: number });
    expect(res.statusCode).toBe(201);
    return { tenant, number };
  }
  const dial = (l: Line, body: Record<string, unknown>, key: string = l.tenant.apiKey) => t.api('POST', '/api/calls/outbound', body, key);
  const callRow = async (id: string) => (await t.dataSource.query(`SELECT * FROM calls WHERE id = $1`, [id]))[0];
  const placed = (id: string) =>
    waitFor(async () => {
      const row = await callRow(id);
      return row.twilio_call_sid || row.status === 'failed' ? row : null;
    });
  /** Every queued call placed (the fake's failNext must not hit a straggler of another test). */
  const drain = () =>
    waitFor(
      async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM calls WHERE direction = 'outbound' AND status = 'queued'`))[0].n === 0,
      10_000,
    );
  const createForm = (sid: string) => fake.getCall(sid)!.createParams;
  const outboundSim = (l: Line, callSid: string, to: string) =>
    new TwilioCallSimulator({ appBaseUrl, publicBaseUrl: PUBLIC, ...PLATFORM, callSid, from: l.number, to, direction: 'outbound-api' });

  describe('placing calls', () => {
    it('should queue (202), then place the call through the Twilio Calls API with our webhooks and AMD', async () => {
      const l = await line();
      const to = uniquePhoneNumber();
      const res = await dial(l, { to, machineDetection: true });
      expect(res.statusCode).toBe(202);
      expect(res.json()).toMatchObject({ status: 'queued', direction: 'outbound', to, from: l.number, tenantId: l.tenant.id });
      const row = await placed(res.json().id);
      expect(row).toMatchObject({ status: 'initiated', direction: 'outbound', twilio_account_sid: PLATFORM.accountSid });
      const form = createForm(row.twilio_call_sid);
      expect(form).toMatchObject({
        To: to,
        From: l.number,
        Url: `${PUBLIC}/api/webhooks/twilio/voice`,
        Method: 'POST',
        StatusCallback: `${PUBLIC}/api/webhooks/twilio/voice/status`,
        StatusCallbackMethod: 'POST',
        StatusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
        MachineDetection: 'Enable',
      });
      const usage = (await t.dataSource.query(`SELECT outbound_calls FROM usage_daily WHERE tenant_id = $1`, [l.tenant.id]))[0];
      expect(usage.outbound_calls).toBe(1);
      // The lead was created for the callee; the legacy path answers the same way.
      expect(row.lead_id).toBeTruthy();
      const legacy = await t.api('POST', '/api/elevenlabs/outbound-call', { leadId: row.lead_id }, l.tenant.apiKey);
      expect(legacy.statusCode).toBe(202);
      expect(createForm((await placed(legacy.json().id)).twilio_call_sid).MachineDetection).toBeUndefined();
    });

    it('should release queued calls at the configured rate per account, showing queued until placed', async () => {
      await drain();
      const l = await line();
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await dial(l, { to: uniquePhoneNumber() })).json().id);
      const last = await t.api('GET', `/api/calls/${ids[2]}`, undefined, l.tenant.apiKey);
      expect(last.json().status).toBe('queued');
      const rows = await Promise.all(ids.map(placed));
      const times = rows
        .map((r) =>
          fake
            .requestsFor('calls.create')
            .find((q) => q.form.To === r.to_number)!
            .receivedAt.getTime(),
        )
        .sort((a, b) => a - b);
      expect(times[1] - times[0]).toBeGreaterThanOrEqual(1000 / RATE - 30);
      expect(times[2] - times[1]).toBeGreaterThanOrEqual(1000 / RATE - 30);
      expect((await t.api('GET', `/api/calls/${ids[2]}`, undefined, l.tenant.apiKey)).json().status).toBe('initiated');
    });

    it("should mark the call failed with Twilio's code and message when Twilio refuses it", async () => {
      await drain();
      const l = await line();
      fake.failNext('calls.create', { status: 400, code: 21215, message: 'Account not authorized to call this number' });
      const res = await dial(l, { to: uniquePhoneNumber() });
      expect(res.statusCode).toBe(202);
      const row = await placed(res.json().id);
      expect(row.status).toBe('failed');
      expect(row.failure_reason).toContain('21215');
      expect(row.metadata.twilioError).toMatchObject({ code: 21215, message: 'Account not authorized to call this number' });
    });
  });

  it('should mark a call failed when the instance that claimed it died before Twilio answered', async () => {
    const l = await line();
    const [{ id }] = await t.dataSource.query(
      `INSERT INTO calls (tenant_id, twilio_account_sid, direction, from_number, to_number, status, dispatched_at)
       VALUES ($1, $2, 'outbound', $3, $4, 'queued', now() - interval '10 minutes') RETURNING id`,
      [l.tenant.id, PLATFORM.accountSid, l.number, uniquePhoneNumber()],
    );
    expect(await t.app.get(OutboundDispatcherService).sweepLost()).toBeGreaterThanOrEqual(1);
    expect(await callRow(id)).toMatchObject({ status: 'failed', failure_reason: 'dispatch_lost' });
  });

  describe('refusals', () => {
    it('should refuse an invalid number (400), a missing target (400) and an opted-out lead (409)', async () => {
      const l = await line();
      expect((await dial(l, { to: '12345' })).statusCode).toBe(400);
      expect((await dial(l, {})).statusCode).toBe(400);
      expect((await dial(l, { to: uniquePhoneNumber(), from: uniquePhoneNumber() })).statusCode).toBe(400); // not the tenant's number
      const callee = uniquePhoneNumber();
      const first = await dial(l, { to: callee });
      const leadId = (await callRow(first.json().id)).lead_id;
      await t.dataSource.query(`UPDATE leads SET opted_out_at = now() WHERE id = $1`, [leadId]);
      const byLead = await dial(l, { leadId });
      expect(byLead.statusCode).toBe(409);
      expect(byLead.json().message).toMatch(/opted out/);
      expect((await dial(l, { to: callee })).statusCode).toBe(409);
      await drain();
    });

    it('should refuse outside business hours unless the admin forces it', async () => {
      const l = await line({ businessHours: { mon: [] } }); // closed every day
      const res = await dial(l, { to: uniquePhoneNumber() });
      expect(res.statusCode).toBe(409);
      expect(res.json().message).toMatch(/business hours/);
      expect((await dial(l, { to: uniquePhoneNumber(), force: true })).statusCode).toBe(403);
      const forced = await t.api('POST', '/api/calls/outbound', { tenantId: l.tenant.id, to: uniquePhoneNumber(), force: true });
      expect(forced.statusCode).toBe(202);
      await drain();
    });

    it('should refuse over the concurrent-call quota (429) and the monthly outbound quota (409)', async () => {
      const busy = await line({ quotas: { maxConcurrentCalls: 1 } });
      expect((await dial(busy, { to: uniquePhoneNumber() })).statusCode).toBe(202);
      const over = await dial(busy, { to: uniquePhoneNumber() });
      expect(over.statusCode).toBe(429);
      expect(over.json().message).toMatch(/Concurrent-call quota/);
      const capped = await line({ quotas: { monthlyOutboundCalls: 1 } });
      expect((await dial(capped, { to: uniquePhoneNumber() })).statusCode).toBe(202);
      // Counted while still queued too: a burst cannot overrun the allowance.
      const second = await dial(capped, { to: uniquePhoneNumber() });
      expect(second.statusCode).toBe(409);
      expect(second.json().message).toMatch(/outbound-call quota/);
      await drain();
    });
  });

  describe('the voice webhook of an outbound call', () => {
    async function answered(l: Line, body: Record<string, unknown>, answeredBy?: string) {
      const to = uniquePhoneNumber();
      const res = await dial(l, { to, ...body });
      const row = await placed(res.json().id);
      const sim = outboundSim(l, row.twilio_call_sid, to);
      const hook = await sim.sendVoiceWebhook(undefined, answeredBy ? { AnsweredBy: answeredBy } : {});
      expect(hook.status).toBe(200);
      return { row, sim, hook };
    }

    it('should bridge the existing call with the stored overrides in the context, and count its seconds', async () => {
      const l = await line({ quotas: { monthlyVoiceMinutes: 1 } });
      const { row, sim, hook } = await answered(l, {
        firstMessage: 'Hi, this is Ada from the clinic',
        prompt: 'Confirm the appointment',
        dynamicVariables: { appointment_time: '10:30' },
      });
      expect(hook.twiml?.connect?.stream?.url).toBe('wss://voice.example.test/media-stream');
      const event = await waitFor(() => accepted.find((e) => e.call.id === row.id));
      const context = await Promise.resolve(event.context);
      expect(context.conversationConfigOverride).toMatchObject({
        agent: { first_message: 'Hi, this is Ada from the clinic', prompt: { prompt: 'Confirm the appointment' } },
      });
      expect(context.dynamicVariables).toMatchObject({ appointment_time: '10:30' });
      // Kept on the call for a media stream that lands on another instance (it builds the context there).
      expect((await callRow(row.id)).metadata.contextOptions).toMatchObject({
        firstMessage: 'Hi, this is Ada from the clinic',
        prompt: 'Confirm the appointment',
        extraVariables: { appointment_time: '10:30' },
      });
      expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM calls WHERE twilio_call_sid = $1`, [row.twilio_call_sid]))[0].n).toBe(1);
      expect((await sim.sendStatusCallback('completed', { CallDuration: '42' })).status).toBeLessThan(300);
      const usage = (await t.dataSource.query(`SELECT outbound_calls, outbound_seconds FROM usage_daily WHERE tenant_id = $1`, [l.tenant.id]))[0];
      expect(usage).toEqual({ outbound_calls: 1, outbound_seconds: 42 });
      // 42 s is one started minute of the 1-minute allowance: both alerts, raised by the status callback.
      const voiceAlerts = await waitFor(() => {
        const mine = alerts.filter((a) => a.tenantId === l.tenant.id && a.data.quota === 'voiceMinutes');
        return mine.length === 2 && mine;
      });
      expect(voiceAlerts.map((a) => a.data.threshold)).toEqual([80, 100]);
    });

    it('should hang up on an answering machine when the tenant says so', async () => {
      const l = await line({ outbound: { onMachine: 'hangup' } });
      const { row, hook } = await answered(l, { machineDetection: true }, 'machine_start');
      expect(hook.twiml?.hangup).toBe(true);
      expect(hook.twiml?.connect).toBeUndefined();
      const after = await callRow(row.id);
      expect(after.disposition).toBe('machine_hangup');
      expect(after).toMatchObject({ answered_by: 'machine_start', metadata: expect.objectContaining({ machineAction: 'hangup' }) });
    });

    it('should let the agent leave a voicemail when the tenant says so', async () => {
      const l = await line({ outbound: { onMachine: 'voicemail', voicemailMessage: 'Sorry we missed you, please call us back.' } });
      const { row, hook } = await answered(l, { machineDetection: 'DetectMessageEnd', firstMessage: 'Hello!' }, 'machine_end_beep');
      expect(hook.twiml?.connect?.stream).toBeDefined();
      expect(createForm(row.twilio_call_sid).MachineDetection).toBe('DetectMessageEnd');
      const event = await waitFor(() => accepted.find((e) => e.call.id === row.id));
      expect((await Promise.resolve(event.context)).conversationConfigOverride).toMatchObject({
        agent: { first_message: 'Sorry we missed you, please call us back.' },
      });
      expect(await callRow(row.id)).toMatchObject({
        disposition: 'voicemail',
        metadata: { contextOptions: { firstMessage: 'Sorry we missed you, please call us back.' } },
      });
    });
  });

  describe('quotas and alerts', () => {
    it('should alert once at 80% and once at 100% of the monthly outbound quota, and report the remaining allowance', async () => {
      await drain();
      const l = await line({ quotas: { monthlyOutboundCalls: 5 } });
      const mine = () => alerts.filter((a) => a.tenantId === l.tenant.id);
      for (let i = 0; i < 4; i++) await placed((await dial(l, { to: uniquePhoneNumber() })).json().id);
      await waitFor(() => mine().length === 1);
      expect(mine()[0].data).toMatchObject({ kind: 'quota', quota: 'outboundCalls', threshold: 80, used: 4, limit: 5 });
      await placed((await dial(l, { to: uniquePhoneNumber() })).json().id);
      await waitFor(() => mine().length === 2);
      expect(mine()[1].data).toMatchObject({ quota: 'outboundCalls', threshold: 100, used: 5, limit: 5 });
      // Asking again (another instance, a retry) sends nothing more.
      expect(await t.app.get(QuotaService).alertIfNeeded(l.tenant.id, 'outboundCalls')).toEqual([]);
      expect((await dial(l, { to: uniquePhoneNumber() })).statusCode).toBe(409);
      expect(mine()).toHaveLength(2);
      const usage = await t.api('GET', '/api/usage', undefined, l.tenant.apiKey);
      expect(usage.json()).toMatchObject({ quotas: { monthlyOutboundCalls: 5 }, month: { outboundCalls: 5 }, remaining: { outboundCalls: 0 } });
    });

    it('should answer check() for SMS segments with allowed/used/limit/remaining', async () => {
      const l = await line({ quotas: { monthlySmsSegments: 10 } });
      const quotas = t.app.get(QuotaService);
      expect(await quotas.check(l.tenant.id, 'smsSegments')).toMatchObject({ allowed: true, used: 0, limit: 10, remaining: 10 });
      await t.app.get(UsageService).increment(l.tenant.id, new Date(), { smsOutSegments: 10 });
      expect(await quotas.check(l.tenant.id, 'smsSegments')).toMatchObject({ allowed: false, used: 10, limit: 10, remaining: 0 });
      expect(await quotas.alertIfNeeded(l.tenant.id, 'smsSegments')).toEqual([80, 100]);
      expect(await quotas.check(l.tenant.id, 'voiceMinutes')).toMatchObject({ allowed: true, limit: null, remaining: null });
    });
  });
});
