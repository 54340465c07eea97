import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Call } from '../../src/modules/calls/call.entity.js';
import { WebhookInboxWorker } from '../../src/modules/elevenlabs-webhooks/inbox/webhook-inbox.worker.js';
import { PostCallReconciler } from '../../src/modules/elevenlabs-webhooks/post-call/post-call-reconciler.service.js';
import { EVENT_BUS, type EventBus, type RealtimeEvent } from '../../src/modules/realtime/event-bus.port.js';
import { createTenant, type CreatedTenant, uniquePhoneNumber } from '../factories/tenant.factory.js';
import {
  buildCallInitiationFailure,
  buildPostCallAudio,
  buildPostCallTranscription,
  ConversationTestClient,
  FakeElevenLabs,
  newConversationId,
  signElevenLabsPayload,
} from '../simulators/elevenlabs/index.js';
import { waitFor } from '../support/wait-for.js';
import { createTestApp, type TestApp } from '../support/app.factory.js';

// ElevenLabs -> us: post-call webhooks through the inbox, live conversation events, the
// reconciliation of missed webhooks, and the conversation-initiation webhook. Payloads are the
// simulator's real-shaped ones (protocol notes §2), signed as ElevenLabs signs.

const POST_SECRET = 'wsec_post_current';
const OLD_POST_SECRET = 'wsec_post_previous';
const EVENTS_SECRET = 'wsec_test_default'; // TEST_ENV's ELEVENLABS_WEBHOOK_SECRET, the fallback
const INIT_SECRET = 'init-secret-current';
const OLD_INIT_SECRET = 'init-secret-previous';
const nowSecs = () => Math.floor(Date.now() / 1000);
const callSid = () => `CA${randomBytes(16).toString('hex')}`;

describe('ElevenLabs webhooks', () => {
  let t: TestApp;
  let fake: FakeElevenLabs;
  let tenant: CreatedTenant;
  const events: RealtimeEvent[] = [];

  beforeAll(async () => {
    fake = await FakeElevenLabs.start({
      agents: {
        agent_recon: {
          firstMessage: 'Hello, Bright Windows here. How can I help?',
          script: [
            {
              userTranscript: 'Hi, I would like a quote for new windows please. Can you call me back tomorrow?',
              agentResponse: 'Of course, we will call you back tomorrow.',
            },
            { endConversation: true },
          ],
        },
      },
    });
    t = await createTestApp({
      ELEVENLABS_API_BASE_URL: fake.baseUrl,
      ELEVENLABS_POST_CALL_WEBHOOK_SECRET: `${POST_SECRET},${OLD_POST_SECRET}`,
      BODY_LIMIT_BYTES: '65536',
      WEBHOOK_INBOX_POLL_MS: '0',
      WEBHOOK_INBOX_MAX_ATTEMPTS: '3',
      POST_CALL_RECONCILE_INTERVAL_MS: '0',
      ELEVENLABS_CONVERSATION_INITIATION_WEBHOOK_SECRET: `${INIT_SECRET},${OLD_INIT_SECRET}`,
      ELEVENLABS_INITIATION_RATE_LIMIT: '3',
    });
    t.app.get<symbol, EventBus>(EVENT_BUS).subscribe((e) => events.push(e));
    tenant = await createTenant(t);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
    if (t && tenant) rmSync(join(t.config.elevenlabs.postCall.recordingsDir, tenant.id), { recursive: true, force: true });
    // The staging folder and the root, if this suite was the only one to use them (rmdir refuses non-empty ones).
    for (const dir of ['_pending', '']) {
      try {
        rmdirSync(join(t.config.elevenlabs.postCall.recordingsDir, dir));
      } catch {
        // not empty, or not there
      }
    }
  });

  function post(
    path: string,
    payload: object | string,
    opts: { secret?: string; ts?: number; signature?: string | null; order?: 't-first' | 'v0-first' } = {},
  ) {
    const raw = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const signature = opts.signature === undefined ? signElevenLabsPayload(raw, opts.secret ?? POST_SECRET, opts.ts ?? nowSecs(), opts.order) : opts.signature;
    return t.inject({
      method: 'POST',
      url: `/api/webhooks/elevenlabs/${path}`,
      headers: { 'content-type': 'application/json', ...(signature === null ? {} : { 'elevenlabs-signature': signature }) },
      payload: raw,
    });
  }

  async function insertCall(overrides: Partial<Call> = {}): Promise<Call> {
    const repo = t.dataSource.getRepository(Call);
    return repo.save(
      repo.create({
        tenantId: tenant.id,
        direction: 'inbound',
        fromNumber: uniquePhoneNumber(),
        toNumber: '+14155550100',
        status: 'completed',
        routingMode: 'bridge',
        twilioCallSid: callSid(),
        endedAt: new Date(),
        ...overrides,
      }),
    );
  }

  /** Processes the inbox here, then waits until the event is settled (another suite's instance may hold it). */
  /** A webhook_inbox row (SELECT *): its id and status are read in URLs and messages, the rest is matched. */
  type InboxRow = Record<string, unknown> & { id: string; status: string };

  async function settled(externalId: string, eventType = 'post_call_transcription'): Promise<InboxRow> {
    await t.app.get(WebhookInboxWorker).drainNow();
    const deadline = Date.now() + 10_000;
    for (;;) {
      const [row] = await t.dataSource.query(`SELECT * FROM webhook_inbox WHERE provider = 'elevenlabs' AND event_type = $1 AND external_id = $2`, [
        eventType,
        externalId,
      ]);
      if (row && ['done', 'unmatched', 'failed'].includes(row.status)) return row;
      if (row?.status === 'pending' && row.attempts > 0) return row; // waiting for its backoff
      if (Date.now() > deadline) throw new Error(`inbox event ${externalId} not settled: ${row?.status}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const inboxCount = async () => Number((await t.dataSource.query('SELECT count(*)::int AS n FROM webhook_inbox'))[0].n);

  describe('signature verification', () => {
    it('should refuse unsigned, malformed, tampered, stale, future and wrongly keyed deliveries, store nothing and audit each', async () => {
      const conversationId = newConversationId();
      const raw = JSON.stringify(buildPostCallTranscription({ conversation_id: conversationId }));
      const good = signElevenLabsPayload(raw, POST_SECRET, nowSecs());
      const cases: Array<[string, string | null, string, number]> = [
        ['unsigned', null, raw, 401],
        ['malformed', 'v0=abc', raw, 401],
        ['tampered', good, raw.replace('boiler', 'boyler'), 403],
        ['stale', signElevenLabsPayload(raw, POST_SECRET, nowSecs() - 31 * 60), raw, 403],
        ['future', signElevenLabsPayload(raw, POST_SECRET, nowSecs() + 6 * 60), raw, 403],
        ['another secret', signElevenLabsPayload(raw, 'wsec_somebody_else', nowSecs()), raw, 403],
        ['the events secret', signElevenLabsPayload(raw, EVENTS_SECRET, nowSecs()), raw, 403],
      ];
      const before = await inboxCount();
      for (const [name, signature, body, status] of cases) {
        const res = await post('post-call', body, { signature });
        expect({ name, status: res.statusCode }).toEqual({ name, status });
        expect(res.body).not.toMatch(/stale|mismatch|secret|tolerance/i);
      }
      expect(await inboxCount()).toBe(before);
      // Audit rows are written after the answer, off the request path: wait for them (seen late under load).
      const reasons = async () =>
        (
          await t.dataSource.query(`SELECT DISTINCT details->>'reason' AS reason FROM audit_logs WHERE action = 'webhook.rejected' AND actor_id = 'elevenlabs'`)
        ).map((a: { reason: string }) => a.reason);
      const wanted = ['missing', 'malformed', 'mismatch', 'stale', 'future'];
      const audited = await waitFor(
        async () => {
          const list: string[] = await reasons();
          return wanted.every((r) => list.includes(r)) ? list : undefined;
        },
        10_000,
        'the audited rejections',
      );
      expect(audited).toEqual(expect.arrayContaining(wanted));
      const metrics = (await t.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/webhook_signature_rejections_total\{provider="elevenlabs",reason="stale"\} [1-9]/);
    });

    it('should accept the previous secret during a rotation, and the header in either order', async () => {
      for (const [secret, order] of [
        [OLD_POST_SECRET, 't-first'],
        [POST_SECRET, 'v0-first'],
      ] as const) {
        const res = await post('post-call', buildPostCallTranscription({ conversation_id: newConversationId() }), { secret, order });
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual({ received: true });
      }
    });
  });

  describe('post_call_transcription', () => {
    const transcript = [
      { role: 'agent', message: "Hi, you're through to Dave's Plumbing. How can I help?", time_in_call_secs: 0 },
      { role: 'user', message: 'Hi, my boiler has stopped working. How much do you charge for a call-out?', time_in_call_secs: 4 },
      { role: 'agent', message: 'Our call-out fee is 75 pounds. Would you like me to book an engineer?', time_in_call_secs: 9.5 },
      {
        role: 'agent',
        message: null,
        time_in_call_secs: 11,
        tool_calls: [{ type: 'webhook', request_id: 'r1', tool_name: 'get_availability', params_as_json: '{}', tool_has_been_called: true }],
      },
      { role: 'user', message: 'Yes please, as soon as possible.', time_in_call_secs: 14 },
    ];
    const startSecs = nowSecs() - 120;
    const payloadFor = (conversationId: string, extra: Record<string, unknown> = {}) =>
      buildPostCallTranscription({
        conversation_id: conversationId,
        transcript,
        metadata: { start_time_unix_secs: startSecs, call_duration_secs: 62, cost: 620 },
        analysis: {
          call_successful: 'success',
          transcript_summary: 'The caller has a broken boiler, asked the call-out price and wants an engineer booked.',
          data_collection_results: {
            customer_name: { data_collection_id: 'customer_name', value: 'Jane Doe', rationale: 'The caller said so.' },
            email: { data_collection_id: 'email', value: 'Jane.Doe@example.com', rationale: 'Spelled out.' },
          },
        },
        ...extra,
      });

    it('should process a transcript whose numbers are past every column range (issue #13) instead of failing it on each retry', async () => {
      const conversationId = newConversationId();
      const call = await insertCall({ conversationId });
      const payload = buildPostCallTranscription(
        {
          conversation_id: conversationId,
          transcript: [{ role: 'user', message: 'Hello?', time_in_call_secs: 1e300 }],
          metadata: { start_time_unix_secs: 1e308, call_duration_secs: 1e300, cost: 1e300 },
        },
        { eventTimestamp: nowSecs() }, // the start time falls back to it
      );
      expect((await post('post-call', payload)).statusCode).toBe(200);
      const row = await settled(conversationId);
      expect(row).toMatchObject({ status: 'done', call_id: call.id, last_error: null });
      const [updated] = await t.dataSource.query('SELECT ai_duration_secs, ai_cost FROM calls WHERE id = $1', [call.id]);
      expect(updated).toEqual({ ai_duration_secs: 0, ai_cost: '0.0000' });
    });

    it('should put the transcript on the lead timeline in place of the live turns, and update the call, the lead and the usage', async () => {
      const conversationId = newConversationId();
      const call = await insertCall({ conversationId });
      const phone = call.fromNumber;
      const [{ id: leadId }] = await t.dataSource.query(`INSERT INTO leads (tenant_id, phone_e164) VALUES ($1, $2) RETURNING id`, [tenant.id, phone]);
      await t.dataSource.query(`UPDATE calls SET lead_id = $1 WHERE id = $2`, [leadId, call.id]);
      for (const [role, body] of [
        ['agent', 'Hi, you are through to...'],
        ['user', 'my boyler has stopped'],
      ]) {
        await t.dataSource.query(
          `INSERT INTO lead_messages (tenant_id, lead_id, call_id, channel, direction, role, body, metadata, occurred_at) VALUES ($1, $2, $3, 'voice', 'inbound', $4, $5, '{"source":"live"}', now())`,
          [tenant.id, leadId, call.id, role, body],
        );
      }
      const usageBefore = await t.dataSource.query('SELECT ai_seconds, ai_cost FROM usage_daily WHERE tenant_id = $1', [tenant.id]);

      const res = await post('post-call', payloadFor(conversationId));
      expect(res.statusCode).toBe(200);
      const row = await settled(conversationId);
      expect(row).toMatchObject({ status: 'done', tenant_id: tenant.id, call_id: call.id, source: 'webhook', attempts: 1 });

      const timeline = await t.dataSource.query(
        `SELECT role, direction, body, offset_secs, external_id, metadata->>'source' AS source, occurred_at FROM lead_messages WHERE call_id = $1 ORDER BY occurred_at`,
        [call.id],
      );
      expect(timeline.map((m: Record<string, unknown>) => [m.role, m.direction, m.offset_secs, m.external_id, m.source])).toEqual([
        ['agent', 'outbound', 0, `el:${conversationId}:0`, 'post_call'],
        ['user', 'inbound', 4, `el:${conversationId}:1`, 'post_call'],
        ['agent', 'outbound', 9.5, `el:${conversationId}:2`, 'post_call'],
        ['user', 'inbound', 14, `el:${conversationId}:4`, 'post_call'],
      ]);
      expect(new Date(timeline[1].occurred_at).getTime()).toBe((startSecs + 4) * 1000);

      const [lead] = await t.dataSource.query('SELECT * FROM leads WHERE id = $1', [leadId]);
      expect(lead).toMatchObject({ name: 'Jane Doe', email: 'jane.doe@example.com', interaction_count: 1, summary: expect.stringContaining('broken boiler') });
      expect(lead.score).toBeGreaterThan(0);
      expect(lead.score).toBe(lead.score_reasons.reduce((sum: number, r: { points: number }) => sum + r.points, 0));
      expect(lead.action_items.map((a: { type: string }) => a.type)).toEqual(expect.arrayContaining(['price_asked']));
      expect(['positive', 'neutral', 'negative']).toContain(lead.sentiment);
      expect(new Date(lead.last_contact_at).getTime()).toBe((startSecs + 62) * 1000);

      const [updated] = await t.dataSource.query('SELECT * FROM calls WHERE id = $1', [call.id]);
      expect(updated).toMatchObject({ ai_duration_secs: 62, ai_cost: '620.0000', summary: expect.stringContaining('broken boiler'), status: 'completed' });
      expect(updated.analysis).toMatchObject({ conversationId, callSuccessful: 'success', summarySource: 'elevenlabs', leadScore: lead.score });
      expect(updated.metadata.aiConversations[conversationId]).toMatchObject({ durationSecs: 62, cost: 620 });

      const [usage] = await t.dataSource.query('SELECT ai_seconds, ai_cost FROM usage_daily WHERE tenant_id = $1', [tenant.id]);
      expect(usage.ai_seconds - (usageBefore[0]?.ai_seconds ?? 0)).toBe(62);
      expect(Number(usage.ai_cost) - Number(usageBefore[0]?.ai_cost ?? 0)).toBe(620);

      await waitFor(() => ['lead.updated', 'call.ended'].every((type) => events.some((e) => e.leadId === leadId && e.type === type)));

      // A duplicate delivery (ElevenLabs retries, or the reconciliation job) changes nothing.
      const again = await post('post-call', payloadFor(conversationId));
      expect(again.json()).toEqual({ received: true, duplicate: true });
      await t.app.get(WebhookInboxWorker).drainNow();
      expect((await t.dataSource.query('SELECT count(*)::int AS n FROM lead_messages WHERE call_id = $1', [call.id]))[0].n).toBe(4);
      expect((await t.dataSource.query('SELECT interaction_count FROM leads WHERE id = $1', [leadId]))[0].interaction_count).toBe(1);
      expect((await t.dataSource.query('SELECT ai_seconds FROM usage_daily WHERE tenant_id = $1', [tenant.id]))[0].ai_seconds).toBe(usage.ai_seconds);
    });

    it('should find the call by user_id or the switchboard_call_id variable, record its conversation id and create its lead', async () => {
      for (const via of ['user_id', 'dynamic_variable'] as const) {
        const call = await insertCall();
        const conversationId = newConversationId();
        const correlation =
          via === 'user_id' ? { user_id: call.id } : { conversation_initiation_client_data: { dynamic_variables: { switchboard_call_id: call.id } } };
        expect((await post('post-call', payloadFor(conversationId, correlation))).statusCode).toBe(200);
        expect(await settled(conversationId)).toMatchObject({ status: 'done', call_id: call.id });
        const [updated] = await t.dataSource.query('SELECT conversation_id, lead_id FROM calls WHERE id = $1', [call.id]);
        expect(updated.conversation_id).toBe(conversationId);
        const [lead] = await t.dataSource.query('SELECT phone_e164, interaction_count FROM leads WHERE id = $1', [updated.lead_id]);
        expect(lead).toEqual({ phone_e164: call.fromNumber, interaction_count: 1 });
      }
    });

    it('should keep an event that matches no call visible as unmatched, and process it when re-driven', async () => {
      const conversationId = newConversationId();
      expect((await post('post-call', payloadFor(conversationId, { user_id: randomUUID() }))).statusCode).toBe(200);
      const row = await settled(conversationId);
      expect(row).toMatchObject({ status: 'unmatched', tenant_id: null, call_id: null });

      const listed = await t.api('GET', '/api/webhooks/inbox?status=unmatched&limit=200');
      expect(listed.statusCode).toBe(200);
      expect(listed.json().items.map((i: { id: string }) => i.id)).toContain(row.id);
      expect((await t.api('GET', '/api/webhooks/inbox', undefined, tenant.apiKey)).statusCode).toBe(403);
      expect((await t.api('GET', `/api/webhooks/inbox/${row.id}`)).json().payload.data.conversation_id).toBe(conversationId);

      const call = await insertCall({ conversationId });
      const retried = await t.api('POST', `/api/webhooks/inbox/${row.id}/retry`);
      expect(retried.statusCode).toBe(202);
      expect(await settled(conversationId)).toMatchObject({ status: 'done', call_id: call.id });
      expect((await t.api('POST', `/api/webhooks/inbox/${row.id}/retry`)).statusCode).toBe(409);
    });

    it('should retry a failing event with backoff, mark it failed after the last attempt, and let an operator re-drive it', async () => {
      const conversationId = newConversationId();
      await insertCall({ conversationId, leadId: randomUUID() }); // a lead that does not exist: processing throws
      await post('post-call', payloadFor(conversationId));
      const first = await settled(conversationId);
      expect(first).toMatchObject({ status: 'pending', attempts: 1, last_error: 'Lead not found' });
      expect(new Date(first.next_attempt_at as string).getTime()).toBeGreaterThan(Date.now() + 5_000);

      for (let attempt = 2; attempt <= 3; attempt++) {
        await t.dataSource.query(`UPDATE webhook_inbox SET next_attempt_at = now() WHERE id = $1`, [first.id]);
        await settled(conversationId);
      }
      const failed = await settled(conversationId);
      expect(failed).toMatchObject({ status: 'failed', attempts: 3, last_error: 'Lead not found' });
      expect((await t.api('GET', '/api/webhooks/inbox?status=failed&limit=200')).json().items.map((i: { id: string }) => i.id)).toContain(failed.id);

      await t.dataSource.query(`UPDATE calls SET lead_id = NULL WHERE conversation_id = $1`, [conversationId]);
      expect((await t.api('POST', `/api/webhooks/inbox/${failed.id}/retry`)).statusCode).toBe(202);
      expect(await settled(conversationId)).toMatchObject({ status: 'done', attempts: 1 });
    });

    it('should answer 400 to a signed body that is not a post-call event, and store nothing', async () => {
      const before = await inboxCount();
      expect((await post('post-call', { type: 'post_call_transcription', data: { conversation_id: '../../etc' } })).statusCode).toBe(400);
      expect((await post('post-call', '[1,2,3]')).statusCode).toBe(400);
      expect((await post('post-call', { type: 'something_new', data: { conversation_id: 'conv_x' } })).json()).toEqual({ received: true, ignored: true });
      expect(await inboxCount()).toBe(before);
    });
  });

  describe('post_call_audio', () => {
    it('should store the MP3 per tenant and conversation, keep only a reference in the inbox, and take bodies over the global limit', async () => {
      const conversationId = newConversationId();
      const audio = randomBytes(300_000);
      const envelope = buildPostCallAudio({ conversation_id: conversationId, full_audio: audio.toString('base64') });
      expect(JSON.stringify(envelope).length).toBeGreaterThan(t.config.http.bodyLimitBytes);

      // Audio can arrive before anything links the conversation to a call (register-call calls).
      expect((await post('post-call', envelope)).json()).toEqual({ received: true });
      expect(await settled(conversationId, 'post_call_audio')).toMatchObject({ status: 'unmatched' });
      expect((await post('post-call', envelope)).json()).toEqual({ received: true, duplicate: true });

      const call = await insertCall();
      await post('post-call', buildPostCallTranscription({ conversation_id: conversationId, user_id: call.id }));
      expect(await settled(conversationId)).toMatchObject({ status: 'done' });
      const row = await settled(conversationId, 'post_call_audio');
      expect(row).toMatchObject({ status: 'done', call_id: call.id });
      expect(JSON.stringify(row.payload)).not.toContain(audio.toString('base64').slice(0, 100));

      const file = join(t.config.elevenlabs.postCall.recordingsDir, tenant.id, `${conversationId}.mp3`);
      expect(readFileSync(file).equals(audio)).toBe(true);
      expect(existsSync(join(t.config.elevenlabs.postCall.recordingsDir, '_pending', `${conversationId}.mp3`))).toBe(false);
      const [updated] = await t.dataSource.query('SELECT metadata FROM calls WHERE id = $1', [call.id]);
      expect(updated.metadata.aiRecording).toEqual({ file: join(tenant.id, `${conversationId}.mp3`), bytes: audio.length, conversationId, format: 'mp3' });

      // Other routes keep the global limit.
      const big = { type: 'user_transcript', data: { conversation_id: conversationId, text: 'x'.repeat(70_000) } };
      expect((await post('conversation-events', big, { secret: EVENTS_SECRET })).statusCode).toBe(413);
    });
  });

  describe('call_initiation_failure', () => {
    it('should mark a call ElevenLabs could not place as busy, with the reason, matched by its CallSid', async () => {
      const sid = callSid();
      const call = await insertCall({ direction: 'outbound', status: 'initiated', endedAt: null, twilioCallSid: sid });
      const envelope = buildCallInitiationFailure({ failure_reason: 'busy' });
      (envelope.data.metadata as { body: Record<string, string> }).body.CallSid = sid;
      await post('post-call', envelope);
      expect(await settled(String(envelope.data.conversation_id), 'call_initiation_failure')).toMatchObject({ status: 'done', call_id: call.id });
      const [updated] = await t.dataSource.query('SELECT status, failure_reason, conversation_id, ended_at FROM calls WHERE id = $1', [call.id]);
      expect(updated).toMatchObject({ status: 'busy', failure_reason: 'elevenlabs: busy (SIP 486)', conversation_id: envelope.data.conversation_id });
      expect(updated.ended_at).not.toBeNull();
      await waitFor(() => events.some((e) => e.callId === call.id && e.type === 'call.status' && e.data.status === 'busy'));
    });
  });

  describe('conversation events', () => {
    it('should append events to the call timeline and publish them, once per delivery', async () => {
      const call = await insertCall({ endedAt: null, status: 'in-progress' });
      const conversationId = newConversationId();
      const started = { type: 'conversation_started', event_timestamp: nowSecs(), data: { conversation_id: conversationId, user_id: call.id } };
      const said = {
        type: 'user_transcript',
        event_timestamp: nowSecs(),
        data: { conversation_id: conversationId, user_transcription_event: { user_transcript: 'Can I book for Tuesday?' } },
      };
      expect((await post('conversation-events', started, { secret: EVENTS_SECRET })).json()).toEqual({ received: true });
      expect((await post('conversation-events', said, { secret: EVENTS_SECRET })).json()).toEqual({ received: true });
      expect((await post('conversation-events', said, { secret: EVENTS_SECRET })).json()).toEqual({ received: true, duplicate: true });

      const stored = await t.dataSource.query('SELECT type, conversation_id FROM call_events WHERE call_id = $1 ORDER BY occurred_at, received_at', [call.id]);
      expect(stored).toEqual([
        { type: 'conversation_started', conversation_id: conversationId },
        { type: 'user_transcript', conversation_id: conversationId },
      ]);
      expect((await t.dataSource.query('SELECT conversation_id FROM calls WHERE id = $1', [call.id]))[0].conversation_id).toBe(conversationId);
      await waitFor(() => events.filter((e) => e.callId === call.id).length >= 2);
      const published = events.filter((e) => e.callId === call.id).sort((x, y) => Number(x.id) - Number(y.id));
      expect(published.map((e) => e.type)).toEqual(['call.status', 'call.transcript']);
      expect(published[1].data).toMatchObject({ role: 'user', text: 'Can I book for Tuesday?' });
    });

    it('should keep an event for an unknown conversation in the inbox as unmatched, and refuse unsigned ones', async () => {
      const orphan = { type: 'interruption', data: { conversation_id: newConversationId() } };
      expect((await post('conversation-events', orphan, { secret: EVENTS_SECRET })).json()).toEqual({ received: true, unmatched: true });
      const [row] = await t.dataSource.query(
        `SELECT status FROM webhook_inbox WHERE event_type = 'conversation_event' AND payload->'data'->>'conversation_id' = $1`,
        [orphan.data.conversation_id],
      );
      expect(row.status).toBe('unmatched');
      const before = Number((await t.dataSource.query('SELECT count(*)::int AS n FROM call_events'))[0].n);
      expect((await post('conversation-events', orphan, { signature: null })).statusCode).toBe(401);
      expect((await post('conversation-events', orphan, { secret: POST_SECRET })).statusCode).toBe(403);
      expect(Number((await t.dataSource.query('SELECT count(*)::int AS n FROM call_events'))[0].n)).toBe(before);
    });
  });

  describe('missed webhooks', () => {
    async function finishedConversation(userId: string): Promise<string> {
      const client = await ConversationTestClient.connect(`${fake.wsBaseUrl}/v1/convai/conversation?agent_id=agent_recon`);
      client.send({ type: 'conversation_initiation_client_data', user_id: userId });
      const metadata = await client.waitForMessage('conversation_initiation_metadata');
      const conversationId = (metadata.conversation_initiation_metadata_event as { conversation_id: string }).conversation_id;
      await client.waitForClose(5_000);
      await fake.waitFor((f) => f.getConversation(conversationId)?.state === 'closed');
      return conversationId;
    }

    it('should fetch a conversation whose webhook never came and process it like the webhook, exactly once', async () => {
      const call = await insertCall({ endedAt: new Date(Date.now() - 20 * 60_000) });
      const conversationId = await finishedConversation(call.id);
      await t.dataSource.query('UPDATE calls SET conversation_id = $1 WHERE id = $2', [conversationId, call.id]);
      const recent = await insertCall({ endedAt: new Date(Date.now() - 2 * 60_000), conversationId: newConversationId() });

      const reconciler = t.app.get(PostCallReconciler);
      const report = await reconciler.runOnce();
      expect(report?.queued).toBeGreaterThanOrEqual(1);
      expect(await settled(conversationId)).toMatchObject({ status: 'done', source: 'reconciliation', call_id: call.id });
      const timeline = await t.dataSource.query(`SELECT role, body FROM lead_messages WHERE call_id = $1 ORDER BY offset_secs, external_id`, [call.id]);
      expect(timeline.map((m: { role: string }) => m.role)).toEqual(['agent', 'user', 'agent']);
      expect(timeline[1].body).toContain('quote for new windows');
      const [lead] = await t.dataSource.query('SELECT l.interaction_count, l.action_items FROM leads l JOIN calls c ON c.lead_id = l.id WHERE c.id = $1', [
        call.id,
      ]);
      expect(lead.interaction_count).toBe(1);
      expect(lead.action_items.map((a: { type: string }) => a.type)).toEqual(expect.arrayContaining(['callback_requested']));
      expect((await t.dataSource.query(`SELECT 1 FROM webhook_inbox WHERE external_id = $1`, [recent.conversationId])).length).toBe(0);

      // The next pass has nothing to do for it, and a late webhook is a duplicate.
      await reconciler.runOnce();
      expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM webhook_inbox WHERE external_id = $1`, [conversationId]))[0].n).toBe(1);
      const late = buildPostCallTranscription(fake.getConversation(conversationId));
      expect((await post('post-call', late)).json()).toEqual({ received: true, duplicate: true });
    });

    it('should record a conversation ElevenLabs does not know as failed, once', async () => {
      const call = await insertCall({ endedAt: new Date(Date.now() - 30 * 60_000), conversationId: newConversationId() });
      await t.app.get(PostCallReconciler).runOnce();
      const [row] = await t.dataSource.query(`SELECT status, last_error FROM webhook_inbox WHERE external_id = $1`, [call.conversationId]);
      expect(row).toEqual({ status: 'failed', last_error: 'ElevenLabs has no such conversation (404)' });
    });
  });

  describe('conversation initiation', () => {
    const initiate = (body: Record<string, unknown>, headers: Record<string, string> = { 'x-switchboard-webhook-secret': INIT_SECRET }) =>
      t.inject({
        method: 'POST',
        url: '/api/webhooks/elevenlabs/conversation-initiation',
        headers: { 'content-type': 'application/json', ...headers },
        payload: JSON.stringify(body),
      });

    async function tenantWithNumber(settings: Record<string, unknown> = {}): Promise<{ tenant: CreatedTenant; number: string }> {
      const created = await createTenant(t, { settings });
      const number = uniquePhoneNumber();
      const res = await t.api('POST', `/api/tenants/${created.id}/phone-numbers`, { phoneNumber: number });
      expect(res.statusCode).toBe(201);
      return { tenant: created, number };
    }

    it('should answer a returning caller with their history, the tenant overrides and our call id, and the post-call webhook then finds that call', async () => {
      const agent = {
        firstMessage: 'Hi {{customer_name}}, thanks for calling Dave again.',
        prompt: 'You are the receptionist of Dave Plumbing.',
        language: 'en',
        voiceId: 'voice_dave',
      };
      const { tenant: dave, number } = await tenantWithNumber({ agent });
      const caller = uniquePhoneNumber();
      const [{ id: leadId }] = await t.dataSource.query(
        `INSERT INTO leads (tenant_id, phone_e164, name, summary, interaction_count, last_contact_at) VALUES ($1, $2, 'Jane Doe', 'Asked about a boiler service.', 2, now()) RETURNING id`,
        [dave.id, caller],
      );
      for (const [channel, role, direction, body, minutesAgo] of [
        ['voice', 'agent', 'outbound', 'A boiler service is 90 pounds.', 60],
        ['sms', 'user', 'inbound', 'Is Tuesday OK?', 5],
      ] as const) {
        await t.dataSource.query(
          `INSERT INTO lead_messages (tenant_id, lead_id, channel, direction, role, body, occurred_at) VALUES ($1, $2, $3, $4, $5, $6, now() - make_interval(mins => $7))`,
          [dave.id, leadId, channel, direction, role, body, minutesAgo],
        );
      }
      const sid = callSid();
      const body = { caller_id: caller, agent_id: 'agent_dave', called_number: number, call_sid: sid };
      const res = await initiate(body);
      expect(res.statusCode).toBe(200);
      const answer = res.json();
      expect(answer).toEqual({
        type: 'conversation_initiation_client_data',
        dynamic_variables: {
          customer_name: 'Jane Doe',
          organization_name: `Tenant ${dave.slug}`,
          organization_id: dave.slug,
          lead_status: 'Returning Customer',
          caller_type: 'existing_lead',
          previous_summary: 'Asked about a boiler service.',
          conversation_context: 'Agent (voice): A boiler service is 90 pounds.\nCustomer (sms): Is Tuesday OK?',
          has_conversation_history: 'true',
          total_messages: 2,
          switchboard_call_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        },
        conversation_config_override: {
          agent: { first_message: agent.firstMessage, language: 'en', prompt: { prompt: agent.prompt } },
          tts: { voice_id: 'voice_dave' },
        },
      });
      const callId = answer.dynamic_variables.switchboard_call_id;
      const [call] = await t.dataSource.query('SELECT * FROM calls WHERE id = $1', [callId]);
      expect(call).toMatchObject({
        tenant_id: dave.id,
        lead_id: leadId,
        twilio_call_sid: sid,
        routing_mode: 'native',
        status: 'in-progress',
        direction: 'inbound',
        agent_id: 'agent_dave',
      });
      // ElevenLabs asking again for the same call gets the same call.
      expect((await initiate(body)).json().dynamic_variables.switchboard_call_id).toBe(callId);

      const conversationId = newConversationId();
      await post(
        'post-call',
        buildPostCallTranscription({
          conversation_id: conversationId,
          conversation_initiation_client_data: { dynamic_variables: { switchboard_call_id: callId } },
        }),
      );
      expect(await settled(conversationId)).toMatchObject({ status: 'done', tenant_id: dave.id, call_id: callId });
      const [ended] = await t.dataSource.query('SELECT status, ended_at, duration_secs, conversation_id FROM calls WHERE id = $1', [callId]);
      expect(ended).toMatchObject({ status: 'completed', duration_secs: 42, conversation_id: conversationId });
      expect(ended.ended_at).not.toBeNull();
      expect((await t.dataSource.query('SELECT interaction_count FROM leads WHERE id = $1', [leadId]))[0].interaction_count).toBe(3);
    });

    it('should give an unknown number a valid, neutral answer and write no call or lead', async () => {
      const caller = uniquePhoneNumber();
      const res = await initiate({ caller_id: caller, agent_id: 'agent_x', called_number: '+14155550000', call_sid: callSid() });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        type: 'conversation_initiation_client_data',
        dynamic_variables: expect.objectContaining({
          customer_name: 'Customer',
          organization_name: '',
          lead_status: 'New Inquiry',
          has_conversation_history: 'false',
          total_messages: 0,
          switchboard_call_id: '',
        }),
        conversation_config_override: {},
      });
      expect(await t.dataSource.query('SELECT 1 FROM leads WHERE phone_e164 = $1', [caller])).toEqual([]);
      expect((await initiate({})).json().type).toBe('conversation_initiation_client_data');
    });

    it('should take the shared secret (current or previous) or a valid HMAC, and refuse anything else without writing', async () => {
      const { tenant: shop, number } = await tenantWithNumber();
      const body = { caller_id: uniquePhoneNumber(), agent_id: 'agent_x', called_number: number, call_sid: callSid() };
      const raw = JSON.stringify(body);
      expect((await initiate(body, { 'x-switchboard-webhook-secret': OLD_INIT_SECRET })).statusCode).toBe(200);
      expect((await initiate(body, { 'elevenlabs-signature': signElevenLabsPayload(raw, INIT_SECRET) })).statusCode).toBe(200);
      const logged = async () =>
        Number((await t.dataSource.query('SELECT count(*)::int AS n FROM conversation_initiations WHERE tenant_id = $1', [shop.id]))[0].n);
      const before = await logged();
      expect((await initiate(body, {})).statusCode).toBe(401);
      expect((await initiate(body, { 'x-switchboard-webhook-secret': 'guess' })).statusCode).toBe(403);
      expect((await initiate(body, { 'x-switchboard-webhook-secret': `${INIT_SECRET}x` })).statusCode).toBe(403);
      expect((await initiate(body, { 'elevenlabs-signature': signElevenLabsPayload(raw, 'not-the-secret') })).statusCode).toBe(403);
      expect(await logged()).toBe(before);
    });

    it('should answer neutrally past the per-caller limit, for that caller and tenant only', async () => {
      const { tenant: shop, number } = await tenantWithNumber();
      const caller = uniquePhoneNumber();
      await t.dataSource.query(`INSERT INTO leads (tenant_id, phone_e164, name) VALUES ($1, $2, 'Rita')`, [shop.id, caller]);
      const names: string[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await initiate({ caller_id: caller, agent_id: 'agent_x', called_number: number, call_sid: callSid() });
        expect(res.statusCode).toBe(200);
        names.push(res.json().dynamic_variables.customer_name);
      }
      expect(names).toEqual(['Rita', 'Rita', 'Rita', 'Customer']);
      const limited = await initiate({ caller_id: caller, agent_id: 'agent_x', called_number: number, call_sid: callSid() });
      expect(limited.json().dynamic_variables).toMatchObject({ organization_name: `Tenant ${shop.slug}`, switchboard_call_id: '' });
      const outcomes = await t.dataSource.query(
        `SELECT outcome, count(*)::int AS n FROM conversation_initiations WHERE tenant_id = $1 AND caller = $2 GROUP BY outcome ORDER BY outcome`,
        [shop.id, caller],
      );
      expect(outcomes).toEqual([
        { outcome: 'answered', n: 3 },
        { outcome: 'rate_limited', n: 2 },
      ]);
      const other = await initiate({ caller_id: uniquePhoneNumber(), agent_id: 'agent_x', called_number: number, call_sid: callSid() });
      expect(other.json().dynamic_variables.switchboard_call_id).not.toBe('');
    });
  });
});
