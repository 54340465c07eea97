import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SmsInboundService } from '../../src/modules/messaging/sms-inbound.service.js';
import { SmsResendWorker } from '../../src/modules/messaging/sms-resend.worker.js';
import { EVENT_BUS, type EventBus, type RealtimeEvent } from '../../src/modules/realtime/event-bus.port.js';
import { createTenant, uniquePhoneNumber, type CreatedTenant } from '../factories/tenant.factory.js';
import { TEST_ENV } from '../setup/test-env.js';
import { FakeElevenLabs } from '../simulators/elevenlabs/index.js';
import { encodeForm, FakeTwilioApi, newTwilioSid, signTwilioRequest, TwilioCallSimulator } from '../simulators/twilio/index.js';
import { createTestApp, type TestApp } from '../support/app.factory.js';
import { waitFor } from '../support/wait-for.js';

// SMS/WhatsApp end to end: signed Twilio webhooks in, the agent answering through the ElevenLabs
// simulator's text mode, Twilio's REST API played by FakeTwilioApi, delivery callbacks back.

const PUBLIC = TEST_ENV.PUBLIC_BASE_URL;
const SMS = '/api/webhooks/twilio/sms';
const STATUS = '/api/webhooks/twilio/sms/status';
const RATE_LIMIT = 3;

describe('SMS and takeover', () => {
  let t: TestApp;
  let twilio: FakeTwilioApi;
  let el: FakeElevenLabs;
  let appBaseUrl: string;
  const events: RealtimeEvent[] = [];

  beforeAll(async () => {
    el = await FakeElevenLabs.start({
      agents: {
        agent_sms: {
          mode: 'echo',
          pingIntervalMs: 0,
          textReply: (text, c) => `Agent to ${String(c.initiation?.dynamic_variables?.customer_name)}: re ${text}`,
        },
      },
    });
    twilio = await FakeTwilioApi.start({ accounts: { [TEST_ENV.TWILIO_ACCOUNT_SID]: TEST_ENV.TWILIO_AUTH_TOKEN } });
    t = await createTestApp({
      ELEVENLABS_API_BASE_URL: el.baseUrl,
      TWILIO_API_BASE_URL: twilio.baseUrl,
      SMS_AUTO_REPLY_LIMIT: String(RATE_LIMIT),
      SMS_RETRY_BASE_MS: '20',
      WEBHOOK_DRIFT_CHECK_INTERVAL_MS: '0',
    });
    t.app.get<EventBus>(EVENT_BUS).subscribe((e) => events.push(e));
    appBaseUrl = await t.listen();
  });
  afterAll(async () => {
    await t?.close();
    await twilio?.stop();
    await el?.stop();
  });

  interface Line {
    tenant: CreatedTenant;
    number: string;
  }
  async function line(settings: Record<string, unknown> = {}): Promise<Line> {
    const tenant = await createTenant(t, { settings: { agent: { agentId: 'agent_sms' }, ...settings } });
    const number = uniquePhoneNumber();
    await t.dataSource.query(`INSERT INTO phone_numbers (tenant_id, e164, sms_enabled, whatsapp_enabled) VALUES ($1, $2, true, true)`, [tenant.id, number]);
    return { tenant, number };
  }

  async function signedPost(path: string, params: Record<string, string>, token = TEST_ENV.TWILIO_AUTH_TOKEN) {
    return t.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signTwilioRequest(token, `${PUBLIC}${path}`, params) },
      payload: encodeForm(params),
    });
  }
  const inbound = (l: Line, from: string, body: string, sid = newTwilioSid('SM'), channel: 'sms' | 'whatsapp' = 'sms') => {
    const p = channel === 'whatsapp' ? 'whatsapp:' : '';
    return signedPost(SMS, {
      MessageSid: sid,
      SmsSid: sid,
      AccountSid: TEST_ENV.TWILIO_ACCOUNT_SID,
      From: p + from,
      To: p + l.number,
      Body: body,
      NumSegments: '1',
    });
  };
  const status = (sid: string, MessageStatus: string, ErrorCode?: string) =>
    signedPost(STATUS, { MessageSid: sid, SmsSid: sid, AccountSid: TEST_ENV.TWILIO_ACCOUNT_SID, MessageStatus, ...(ErrorCode ? { ErrorCode } : {}) });
  const sentTo = (to: string) => twilio.requestsFor('messages.create').filter((r) => r.form.To === to || r.form.To === `whatsapp:${to}`);
  const settle = () => t.app.get(SmsInboundService).idle();
  /** A lead_messages row (SELECT m.*): the message's Twilio SID and its JSONB metadata typed, the rest matched. */
  type MessageRow = Record<string, unknown> & { external_id: string; metadata: Record<string, unknown> };
  const timeline = async (tenantId: string, phone: string) =>
    await t.dataSource.query<MessageRow[]>(
      `SELECT m.* FROM lead_messages m JOIN leads l ON l.id = m.lead_id WHERE m.tenant_id = $1 AND l.phone_e164 = $2 ORDER BY m.occurred_at, m.created_at`,
      [tenantId, phone],
    );

  it('should answer an SMS with the agent, send it through Twilio, and track its delivery out of order', async () => {
    const l = await line();
    const from = uniquePhoneNumber();
    const sid = newTwilioSid('SM');
    const res = await inbound(l, from, 'Do you open on Sunday?', sid);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/xml');
    expect(res.body).toContain('<Response/>');
    // Twilio retries the webhook: nothing is stored or answered twice.
    expect((await inbound(l, from, 'Do you open on Sunday?', sid)).statusCode).toBe(200);
    await settle();

    const [create] = await waitFor(() => sentTo(from).length === 1 && sentTo(from));
    expect(create.form).toMatchObject({ To: from, From: l.number, Body: 'Agent to Customer: re Do you open on Sunday?', StatusCallback: `${PUBLIC}${STATUS}` });
    const conversation = el.conversations.find((c) => c.initiation?.user_id && c.transcript.some((e) => e.message === 'Do you open on Sunday?'));
    expect(conversation?.textOnly).toBe(true);
    expect(conversation?.initiation?.conversation_config_override?.conversation?.text_only).toBe(true);

    const rows = await timeline(l.tenant.id, from);
    expect(rows.map((r) => [r.direction, r.role, r.channel])).toEqual([
      ['inbound', 'user', 'sms'],
      ['outbound', 'agent', 'sms'],
    ]);
    const outSid = rows[1].external_id;
    expect(outSid).toMatch(/^SM/);
    expect(conversation?.initiation?.user_id).toBe(rows[0].lead_id);

    // Out of order and repeated: delivered, then a late "sent", then delivered again.
    for (const s of ['delivered', 'sent', 'queued', 'delivered']) expect((await status(outSid, s)).statusCode).toBe(200);
    expect((await timeline(l.tenant.id, from))[1].status).toBe('delivered');
    await status(outSid, 'read');
    expect((await timeline(l.tenant.id, from))[1].status).toBe('read');

    const [usage] = await t.dataSource.query(`SELECT sum(sms_in_segments)::int AS i, sum(sms_out_segments)::int AS o FROM usage_daily WHERE tenant_id = $1`, [
      l.tenant.id,
    ]);
    expect(usage).toEqual({ i: 1, o: 1 });
    // Events may travel through PostgreSQL NOTIFY: they arrive a moment later.
    const types = () => events.filter((e) => e.tenantId === l.tenant.id).map((e) => e.type);
    await waitFor(() => (['sms.received', 'sms.sent', 'sms.status'] as const).every((type) => types().includes(type)));
  });

  it('should answer WhatsApp on the same endpoint with whatsapp: addresses', async () => {
    const l = await line();
    const from = uniquePhoneNumber();
    await inbound(l, from, 'hola', undefined, 'whatsapp');
    await settle();
    const [create] = await waitFor(() => sentTo(from).length === 1 && sentTo(from));
    expect(create.form).toMatchObject({ To: `whatsapp:${from}`, From: `whatsapp:${l.number}` });
    expect((await timeline(l.tenant.id, from)).map((r) => r.channel)).toEqual(['whatsapp', 'whatsapp']);
  });

  it('should honour STOP (no reply, 409 on manual sends), HELP and START', async () => {
    const l = await line({ messages: { smsHelp: 'Acme help: call us.' } });
    const from = uniquePhoneNumber();
    await inbound(l, from, 'STOP');
    await settle();
    const [lead] = await t.dataSource.query(`SELECT id, opted_out_at FROM leads WHERE tenant_id = $1 AND phone_e164 = $2`, [l.tenant.id, from]);
    expect(lead.opted_out_at).not.toBeNull();
    await inbound(l, from, 'Are you there?');
    await settle();
    expect(sentTo(from)).toHaveLength(0);
    const refused = await t.api('POST', '/api/messages/sms', { leadId: lead.id, body: 'promo' }, l.tenant.apiKey);
    expect(refused.statusCode).toBe(409);
    expect(sentTo(from)).toHaveLength(0);

    await inbound(l, from, 'START');
    await settle();
    expect(sentTo(from)).toHaveLength(0);
    await inbound(l, from, 'help');
    await settle();
    expect(sentTo(from).map((r) => r.form.Body)).toEqual(['Acme help: call us.']);
    const ok = await t.api('POST', '/api/twilio/send-sms', { to: from, body: 'Welcome back' }, l.tenant.apiKey);
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ leadId: lead.id, sid: expect.stringMatching(/^SM/), segments: 1 });
    expect(sentTo(from).map((r) => r.form.Body)).toEqual(['Acme help: call us.', 'Welcome back']);
  });

  it('should refuse manual sends over 1600 characters or without a recipient', async () => {
    const l = await line();
    expect((await t.api('POST', '/api/messages/sms', { to: uniquePhoneNumber(), body: 'x'.repeat(1601) }, l.tenant.apiKey)).statusCode).toBe(400);
    expect((await t.api('POST', '/api/messages/sms', { body: 'hi' }, l.tenant.apiKey)).statusCode).toBe(400);
  });

  it('should send the fallback text and flag it when the agent fails', async () => {
    const l = await line({ agent: { agentId: 'agent_unknown' }, messages: { smsFallback: 'We will call you back.' } });
    const from = uniquePhoneNumber();
    await inbound(l, from, 'hello?');
    await settle();
    expect(sentTo(from).map((r) => r.form.Body)).toEqual(['We will call you back.']);
    const rows = await timeline(l.tenant.id, from);
    expect(rows[0].metadata.flag).toBe('agent_failed');
    expect(rows[1].metadata.flag).toBe('agent_failed');
  });

  it('should stop answering beyond the per-tenant rate limit, storing and flagging the rest', async () => {
    const l = await line();
    const senders = Array.from({ length: RATE_LIMIT + 1 }, () => uniquePhoneNumber());
    for (const from of senders) {
      await inbound(l, from, 'hi');
      await settle();
    }
    expect(senders.map((s) => sentTo(s).length)).toEqual([...Array(RATE_LIMIT).fill(1), 0]);
    expect((await timeline(l.tenant.id, senders[RATE_LIMIT]))[0].metadata.flag).toBe('rate_limited');
  });

  it('should stop sending at the monthly SMS quota: automatic replies are flagged, manual sends get 409', async () => {
    const l = await line({ quotas: { monthlySmsSegments: 1 } });
    const first = uniquePhoneNumber();
    await inbound(l, first, 'hi');
    await settle();
    expect(sentTo(first)).toHaveLength(1);
    const second = uniquePhoneNumber();
    await inbound(l, second, 'hi again');
    await settle();
    expect(sentTo(second)).toHaveLength(0);
    expect((await timeline(l.tenant.id, second))[0].metadata.flag).toBe('quota_exceeded');
    const manual = await t.api('POST', '/api/messages/sms', { to: second, body: 'Can we call you?' }, l.tenant.apiKey);
    expect(manual.statusCode).toBe(409);
    expect(manual.json().code).toBe('QUOTA_EXCEEDED');
    expect(sentTo(second)).toHaveLength(0);
    const alerts = await t.dataSource.query(`SELECT threshold FROM usage_alerts WHERE tenant_id = $1 AND quota = 'smsSegments' ORDER BY threshold`, [
      l.tenant.id,
    ]);
    expect(alerts.map((a: { threshold: number }) => a.threshold)).toEqual([80, 100]);
  });

  const sendDueResends = () => t.app.get(SmsResendWorker).sendDue();
  const outSegments = async (tenantId: string) =>
    (await t.dataSource.query<Array<{ o: number }>>(`SELECT COALESCE(sum(sms_out_segments), 0)::int AS o FROM usage_daily WHERE tenant_id = $1`, [tenantId]))[0]
      .o;

  it('should resend after a transient carrier error, scheduled in the database, and flag a permanent one', async () => {
    const l = await line();
    const from = uniquePhoneNumber();
    const sent = (await t.api('POST', '/api/messages/sms', { to: from, body: 'Your table is ready' }, l.tenant.apiKey)).json();
    await status(sent.sid, 'failed', '30003');
    await status(sent.sid, 'failed', '30003'); // Twilio retries callbacks: still one resend
    const [scheduled] = await timeline(l.tenant.id, from);
    expect(scheduled.resend_at).toBeInstanceOf(Date); // in the row, not in this instance's memory
    expect(sentTo(from)).toHaveLength(1);

    await waitFor(async () => (await sendDueResends()) > 0);
    const [, again] = sentTo(from);
    expect(again.form.Body).toBe('Your table is ready');
    expect(sentTo(from)).toHaveLength(2);
    const [row] = await timeline(l.tenant.id, from);
    expect(row).toMatchObject({ status: 'queued', resend_at: null, error_code: null });
    expect(row.metadata).toMatchObject({ attempts: 2, previousSids: [sent.sid] });
    expect(await outSegments(l.tenant.id)).toBe(2); // Twilio bills each attempt
    // A late callback of the failed attempt no longer matches anything.
    await status(sent.sid, 'delivered');
    await status(row.external_id, 'undelivered', '30006');
    const [final] = await timeline(l.tenant.id, from);
    expect(final).toMatchObject({ status: 'undelivered', error_code: 30006, resend_at: null });
    expect(final.metadata.flag).toBe('delivery_failed');
    expect(await sendDueResends()).toBe(0);
    expect(sentTo(from)).toHaveLength(2);
  });

  it('should send a resend that another instance scheduled (or one left by a restart)', async () => {
    const l = await line();
    const from = uniquePhoneNumber();
    const sent = (await t.api('POST', '/api/messages/sms', { to: from, body: 'See you at 7' }, l.tenant.apiKey)).json();
    // What an instance that stopped before the resend was due leaves behind: only the row.
    await t.dataSource.query(
      `UPDATE lead_messages SET status = 'undelivered', error_code = 30003, resend_at = now() - interval '1 minute' WHERE tenant_id = $1 AND external_id = $2`,
      [l.tenant.id, sent.sid],
    );
    expect(await sendDueResends()).toBe(1);
    expect(sentTo(from).map((r) => r.form.Body)).toEqual(['See you at 7', 'See you at 7']);
  });

  it('should cancel a pending resend when the recipient opts out meanwhile', async () => {
    const l = await line();
    const from = uniquePhoneNumber();
    const sent = (await t.api('POST', '/api/messages/sms', { to: from, body: 'Last chance: 20% off' }, l.tenant.apiKey)).json();
    await status(sent.sid, 'failed', '30003');
    await inbound(l, from, 'STOP');
    await settle();
    await new Promise((r) => setTimeout(r, 50)); // past the 20 ms delay: due
    expect(await sendDueResends()).toBe(0);
    expect(sentTo(from).map((r) => r.form.Body)).toEqual(['Last chance: 20% off']);
    const outbound = (await timeline(l.tenant.id, from)).find((r) => r.external_id === sent.sid);
    expect(outbound).toMatchObject({ status: 'failed', resend_at: null });
    expect(outbound?.metadata.flag).toBe('delivery_failed');
    // The alert travels through the event bus (NOTIFY or Redis): it arrives a moment later.
    await waitFor(() => events.some((e) => e.type === 'alert' && e.tenantId === l.tenant.id && (e.data as { reason?: string }).reason === 'opted_out'));
    expect((await t.inject({ method: 'GET', url: '/metrics' })).body).toContain('sms_resends_total{outcome="opted_out"} 1');
  });

  it('should refuse unsigned SMS webhooks', async () => {
    const res = await t.inject({ method: 'POST', url: SMS, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'MessageSid=SM1' });
    expect(res.statusCode).toBe(401);
  });
  describe('human takeover', () => {
    it('should stop automatic replies under human control and resume them, with the human reply in context, when handed back', async () => {
      const l = await line();
      const from = uniquePhoneNumber();
      await inbound(l, from, 'first question');
      await settle();
      const [lead] = await t.dataSource.query(`SELECT id FROM leads WHERE tenant_id = $1 AND phone_e164 = $2`, [l.tenant.id, from]);
      const on = await t.api('POST', `/api/leads/${lead.id}/human-control`, { enabled: true, operator: 'Alex' }, l.tenant.apiKey);
      expect(on.statusCode).toBe(200);
      expect(on.json()).toEqual({ leadId: lead.id, humanControl: true, operator: 'Alex' });

      await inbound(l, from, 'can I talk to a person?');
      await settle();
      expect(sentTo(from)).toHaveLength(1); // only the answer to the first question
      const reply = await t.api('POST', `/api/leads/${lead.id}/messages`, { body: 'Hi, Alex here: your refund is on its way.' }, l.tenant.apiKey);
      expect(reply.statusCode).toBe(201);
      expect(sentTo(from).map((r) => r.form.Body)[1]).toBe('Hi, Alex here: your refund is on its way.');
      expect((await timeline(l.tenant.id, from)).map((r) => r.role)).toEqual(['user', 'agent', 'user', 'human']);

      expect((await t.api('POST', `/api/leads/${lead.id}/human-control`, { enabled: false }, l.tenant.apiKey)).statusCode).toBe(200);
      await inbound(l, from, 'thanks, one more thing');
      await settle();
      expect(sentTo(from)).toHaveLength(3);
      const conversation = el.conversations.find((c) => c.transcript.some((e) => e.message === 'thanks, one more thing'));
      expect(String(conversation?.initiation?.dynamic_variables?.conversation_context)).toContain('Staff (sms): Hi, Alex here: your refund is on its way.');

      await waitFor(() => events.some((e) => e.leadId === lead.id && e.type === 'takeover.ended'));
      expect(events.filter((e) => e.leadId === lead.id && e.type.startsWith('takeover.')).map((e) => e.type)).toEqual(['takeover.started', 'takeover.ended']);
      const audit = await waitFor(async () => {
        const rows = await t.dataSource.query(`SELECT action FROM audit_logs WHERE tenant_id = $1 AND action LIKE 'lead.%' ORDER BY occurred_at`, [
          l.tenant.id,
        ]);
        return rows.length >= 3 && rows;
      });
      expect(audit.map((a: { action: string }) => a.action)).toEqual(['lead.human_control', 'lead.operator_message', 'lead.human_control']);
      // Another tenant's key cannot take the lead over.
      const other = await line();
      expect((await t.api('POST', `/api/leads/${lead.id}/human-control`, { enabled: true }, other.tenant.apiKey)).statusCode).toBe(404);
    });

    async function liveCall(settings: Record<string, unknown> = {}) {
      const l = await line({ handoffNumber: '+14155550100', ...settings });
      const caller = uniquePhoneNumber();
      const created = await fetch(`${twilio.baseUrl}/2010-04-01/Accounts/${TEST_ENV.TWILIO_ACCOUNT_SID}/Calls.json`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${TEST_ENV.TWILIO_ACCOUNT_SID}:${TEST_ENV.TWILIO_AUTH_TOKEN}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: encodeForm({ To: l.number, From: caller, Url: 'https://example.test/x' }),
      });
      const callSid = ((await created.json()) as { sid: string }).sid;
      twilio.setCallStatus(callSid, 'in-progress');
      const [row] = await t.dataSource.query(
        `INSERT INTO calls (tenant_id, twilio_call_sid, twilio_account_sid, direction, from_number, to_number, status, routing_mode, media_connected_at)
         VALUES ($1, $2, $3, 'inbound', $4, $5, 'in-progress', 'bridge', now()) RETURNING id`,
        [l.tenant.id, callSid, TEST_ENV.TWILIO_ACCOUNT_SID, caller, l.number],
      );
      const sim = new TwilioCallSimulator({
        appBaseUrl,
        publicBaseUrl: PUBLIC,
        accountSid: TEST_ENV.TWILIO_ACCOUNT_SID,
        authToken: TEST_ENV.TWILIO_AUTH_TOKEN,
        from: caller,
        to: l.number,
        callSid,
      });
      return { l, callSid, callId: row.id as string, sim };
    }

    it('should transfer a live call through Twilio and hand the caller back to the AI when the human hangs up', async () => {
      const { l, callSid, callId, sim } = await liveCall();
      const res = await t.api('POST', `/api/calls/${callId}/transfer`, { reason: 'billing question' }, l.tenant.apiKey);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ callId, to: '+14155550100' });
      const update = twilio.getCall(callSid)!.updates.at(-1)!;
      expect(update.Twiml).toContain('<Dial action="https://voice.example.test/api/webhooks/twilio/voice/dial-action">+14155550100</Dial>');

      const back = await sim.postSigned('/api/webhooks/twilio/voice/dial-action', {
        ...sim.baseCallParams(),
        CallStatus: 'in-progress',
        DialCallStatus: 'completed',
        DialCallDuration: '42',
      });
      expect(back.status).toBe(200);
      const params = back.twiml?.connect?.stream?.parameters ?? {};
      expect(params.callId).toBe(callId);
      expect(params.sessionToken).toBeTruthy();

      // The new stream opens with the new single-use token, and the agent is told what happened.
      const stream = await sim.openMediaStream({ streamUrl: '/media-stream', parameters: params, session: { playbackSpeed: 20 } });
      const conv = await el.waitFor((f) => f.conversations.find((c) => c.initiation?.user_id === callId), 4000);
      expect(String(conv.initiation?.dynamic_variables?.handback_note)).toContain('reason: billing question');
      expect(conv.initiation?.conversation_config_override?.agent?.first_message).toMatch(/back with you/);
      // Transferred again while the AI is on the line: the agent's conversation is told why it ends.
      expect((await t.api('POST', `/api/calls/${callId}/transfer`, { reason: 'wants a manager' }, l.tenant.apiKey)).statusCode).toBe(200);
      await el.waitFor(() => conv.messages.some((m) => m.type === 'contextual_update' && String(m.text).includes('wants a manager')), 4000);
      await stream.stop();
      const audit = await waitFor(async () => {
        const rows = await t.dataSource.query(`SELECT action FROM audit_logs WHERE tenant_id = $1 AND action LIKE 'call.%' ORDER BY occurred_at`, [
          l.tenant.id,
        ]);
        return rows.length >= 3 && rows;
      });
      expect(audit.map((a: { action: string }) => a.action)).toEqual(['call.transfer', 'call.handback', 'call.transfer']);
      await waitFor(() => events.filter((e) => e.callId === callId && e.type.startsWith('takeover.')).length >= 3);
    });

    it('should not hand back when the tenant turned it off, nor when the caller is gone', async () => {
      const off = await liveCall({ handBack: false });
      const r1 = await off.sim.postSigned('/api/webhooks/twilio/voice/dial-action', {
        ...off.sim.baseCallParams(),
        CallStatus: 'in-progress',
        DialCallStatus: 'no-answer',
      });
      expect(r1.twiml?.connect).toBeUndefined();
      expect(r1.twiml?.hangup).toBeTruthy();
      const gone = await liveCall();
      const r2 = await gone.sim.postSigned('/api/webhooks/twilio/voice/dial-action', {
        ...gone.sim.baseCallParams(),
        CallStatus: 'completed',
        DialCallStatus: 'completed',
      });
      expect(r2.twiml?.connect).toBeUndefined();
    });

    it('should dial with the same action when the agent asks for a human (transfer_to_human)', async () => {
      const { sim, callId } = await liveCall();
      await t.dataSource.query(`UPDATE calls SET bridge_outcome = 'transfer' WHERE id = $1`, [callId]);
      const res = await sim.postSigned('/api/webhooks/twilio/voice/connect-action', sim.baseCallParams());
      expect(res.twiml?.dial).toMatchObject({ number: '+14155550100', action: 'https://voice.example.test/api/webhooks/twilio/voice/dial-action' });
    });

    it('should refuse transfers of calls that are over, or of another tenant', async () => {
      const { l, callId, callSid } = await liveCall();
      const other = await line();
      expect((await t.api('POST', `/api/calls/${callId}/transfer`, {}, other.tenant.apiKey)).statusCode).toBe(404);
      await t.dataSource.query(`UPDATE calls SET status = 'completed' WHERE id = $1`, [callId]);
      expect((await t.api('POST', `/api/calls/${callId}/transfer`, {}, l.tenant.apiKey)).statusCode).toBe(409);
      expect(twilio.getCall(callSid)!.updates).toHaveLength(0);
    });
  });
});
