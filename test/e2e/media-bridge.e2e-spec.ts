import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AGENT_TONE_HZ, STALE_TONE_HZ, toneChunkBase64 } from '../simulators/elevenlabs/index.js';
import { generateMulawTone } from '../simulators/twilio/index.js';
import { callRow, openStream, prepareCall, sleep, startBridgeHarness, waitUntil, type BridgeHarness } from './media-bridge.support.js';

// The media bridge end to end: a real app on a real port, Twilio's side played by the call
// simulator, ElevenLabs' by the fake. Timing assertions are tolerant (shared 2-core machine).

describe('MediaBridge (e2e)', () => {
  let h: BridgeHarness;

  beforeAll(async () => {
    h = await startBridgeHarness();
  });

  afterAll(async () => {
    await h?.close();
  });

  const liveRows = (callId: string) =>
    h.t.dataSource.query(
      `SELECT role, body, external_id, metadata FROM lead_messages WHERE call_id = $1 AND metadata->>'source' = 'live' ORDER BY occurred_at, created_at`,
      [callId],
    );

  it('should relay a full call both ways, store the transcript and link the conversation', async () => {
    const call = await prepareCall(h, {
      agent: {
        firstMessage: 'Hello {{customer_name}}, how can I help?',
        pingIntervalMs: 0,
        script: [
          { waitForUserAudioMs: 600, userTranscript: 'I need a boiler service', agentResponse: 'Sure, I can book that.', agentAudioMs: 200 },
          { waitMs: 50, endConversation: true },
        ],
      },
    });
    const stream = await openStream(call);
    // The caller speaks at once (while the bridge authenticates and opens the conversation): 600 ms, 30 frames.
    const sent = await stream.streamAudio(generateMulawTone(600, 300));
    const closed = await stream.closed;

    expect(closed.code).toBe(1000); // the bridge ended the stream after the agent hung up
    const conversation = h.fake.conversations.find((c) => c.agentId === call.agentId)!;
    expect(conversation.initiation).toMatchObject({ user_id: call.callId, dynamic_variables: expect.objectContaining({ customer_name: 'Ada' }) });
    expect(conversation.receivedAudioChunks).toBe(sent); // not one setup frame lost
    expect(stream.received.media).toBeGreaterThanOrEqual(20); // greeting + answer, 10 chunks each
    expect(stream.received.binaryFrames).toBe(0);
    expect(stream.received.wrongStreamSid).toBe(0);
    expect(stream.received.marks).toBeGreaterThan(0);

    const row = await waitUntil('bridge outcome', async () => ((await callRow(h.t, call.callId)).bridge_outcome ? callRow(h.t, call.callId) : undefined));
    expect(row).toMatchObject({ conversation_id: conversation.conversationId, stream_sid: stream.streamSid, agent_id: call.agentId });
    expect(row.media_connected_at).not.toBeNull();
    expect(row).toMatchObject({ bridge_outcome: 'completed', bridge_end_reason: 'agent_ended' });

    const rows = await waitUntil('live transcript', async () => {
      const r = await liveRows(call.callId);
      return r.length >= 3 ? r : undefined;
    });
    expect(rows.map((r: { role: string; body: string }) => [r.role, r.body])).toEqual([
      ['agent', 'Hello Ada, how can I help?'],
      ['user', 'I need a boiler service'],
      ['agent', 'Sure, I can book that.'],
    ]);
    expect(rows[1].external_id).toMatch(new RegExp(`^live:${call.callId}:\\d+:user$`));
    expect(h.fake.openConversationCount).toBe(0);
  });

  it('should start the conversation with the per-call options of a voice webhook answered by another instance', async () => {
    // The call row as an instance that answered an outbound call's voice webhook leaves it: the
    // stream lands here, where no conversation was pre-opened, and the context is built from the row.
    const call = await prepareCall(h, { agent: { mode: 'echo', pingIntervalMs: 0 } });
    const contextOptions = {
      firstMessage: 'Hi, this is Ada from the clinic',
      prompt: 'Confirm the appointment',
      extraVariables: { appointment_time: '10:30' },
    };
    await h.t.dataSource.query(
      `UPDATE calls SET direction = 'outbound', metadata = metadata || jsonb_build_object('contextOptions', $2::jsonb) WHERE id = $1`,
      [call.callId, JSON.stringify(contextOptions)],
    );
    const stream = await openStream(call);
    const conversation = await waitUntil('the conversation', () => h.fake.conversations.find((c) => c.agentId === call.agentId && c.initiation));
    expect(conversation.initiation).toMatchObject({
      user_id: call.callId,
      conversation_config_override: { agent: { first_message: 'Hi, this is Ada from the clinic', prompt: { prompt: 'Confirm the appointment' } } },
      dynamic_variables: expect.objectContaining({ appointment_time: '10:30', customer_name: 'Ada' }),
    });
    await stream.hangUp();
    await waitUntil('no open upstream', () => h.fake.openConversationCount === 0);
  });

  it('should answer pings at once', async () => {
    const call = await prepareCall(h, { agent: { mode: 'echo', pingIntervalMs: 50 } });
    const stream = await openStream(call);
    const conversation = await h.fake.waitFor((f) => f.conversations.find((c) => c.agentId === call.agentId && c.pongLatenciesMs.length >= 4), 5_000);
    expect(Math.min(...conversation.pongLatenciesMs)).toBeLessThan(50);
    await stream.stop();
    await waitUntil('upstream closed', () => h.fake.openConversationCount === 0);
  });

  it('should clear Twilio on interruption and drop the stale audio that follows', async () => {
    const call = await prepareCall(h, {
      agent: {
        pingIntervalMs: 0,
        script: [
          { agentResponse: 'A long explanation that the caller will cut short.', agentAudioMs: 3_000 },
          { waitMs: 100, interruption: { staleAudioChunks: 5 } },
          { agentResponse: 'Sorry, go ahead.', agentAudioMs: 100 },
        ],
      },
    });
    const stream = await openStream(call, { session: { playbackSpeed: 1 } });
    await stream.waitFor(
      (s) => s.received.clears === 1 && s.receivedPayloads.filter((p) => p === toneChunkBase64('ulaw_8000', 20, AGENT_TONE_HZ)).length >= 155,
      5_000,
    );
    await sleep(200);
    expect(stream.receivedPayloads).not.toContain(toneChunkBase64('ulaw_8000', 20, STALE_TONE_HZ));
    // The reply after the interruption came through (after the clear).
    const clearIndex = stream.controlMessages.findIndex((m) => m.event === 'clear');
    expect(clearIndex).toBeGreaterThanOrEqual(0);
    expect(stream.received.clearedMs).toBeGreaterThan(1_000);
    const metrics = await h.t.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/media_bridge_frames_dropped_total\{reason="stale_after_interruption"\} [1-9]/);
    expect(metrics.body).toMatch(/media_bridge_interruptions_total [1-9]/);
    await stream.stop();
  });

  it('should run client tools: unknown tools fail, transfer_to_human ends the call with outcome transfer', async () => {
    const call = await prepareCall(h, {
      tenantSettings: { handoffNumber: '+14155550100' },
      agent: {
        pingIntervalMs: 0,
        script: [
          { waitForUserAudioMs: 100, clientToolCall: { tool_name: 'lookup_order', parameters: { id: 7 } } },
          { clientToolCall: { tool_name: 'transfer_to_human' } },
          { agentResponse: 'Let me put you through to a colleague.', agentAudioMs: 200 },
        ],
      },
    });
    const stream = await openStream(call);
    void stream.streamAudio(generateMulawTone(600, 300));
    stream.sendDtmf('5');
    const closed = await stream.closed;
    expect(closed.code).toBe(1000);
    const conversation = h.fake.conversations.find((c) => c.agentId === call.agentId)!;
    expect(conversation.toolResults.map((r) => [r.is_error, typeof r.result])).toEqual([
      [true, 'string'],
      [false, 'string'],
    ]);
    expect(conversation.messages).toContainEqual(expect.objectContaining({ type: 'contextual_update', text: expect.stringContaining('"5"') }));
    // The goodbye was played before the stream closed.
    expect(stream.received.media).toBeGreaterThanOrEqual(10);
    const row = await waitUntil('outcome', async () => ((await callRow(h.t, call.callId)).bridge_outcome ? callRow(h.t, call.callId) : undefined));
    expect(row).toMatchObject({ bridge_outcome: 'transfer', bridge_end_reason: 'agent_transfer' });
    const tools = await waitUntil('tool rows', async () => {
      const r = (await liveRows(call.callId)).filter((m: { role: string }) => m.role === 'system');
      return r.length >= 2 ? r : undefined;
    });
    expect(tools.map((r: { metadata: { tool: string } }) => r.metadata.tool)).toEqual(['lookup_order', 'transfer_to_human']);
  });

  it('should end the call politely when the agent announces another audio format', async () => {
    const call = await prepareCall(h, { agent: { mode: 'echo', pingIntervalMs: 0, agentOutputAudioFormat: 'pcm_16000' } });
    const stream = await openStream(call);
    void stream.streamAudio(generateMulawTone(400, 300));
    const closed = await stream.closed;
    expect(closed.code).toBe(1000);
    expect(stream.received.media).toBe(0);
    const row = await callRow(h.t, call.callId);
    expect(row).toMatchObject({ bridge_outcome: 'upstream_failed', bridge_end_reason: 'agent_audio_format' });
    expect(row.failure_reason).toMatch(/^ElevenLabs agent audio format: .*pcm_16000/);
    await waitUntil('upstream closed', () => h.fake.openConversationCount === 0);
  });

  it('should hand the call back to Twilio when the upstream cannot be reached', async () => {
    const call = await prepareCall(h, { agent: { mode: 'echo', pingIntervalMs: 0 } });
    h.fake.setFaults({ signedUrlStatus: 503 });
    try {
      const stream = await openStream(call);
      const closed = await stream.closed;
      expect(closed.code).toBe(1000);
    } finally {
      h.fake.clearFaults();
    }
    const row = await callRow(h.t, call.callId);
    expect(row).toMatchObject({ bridge_outcome: 'upstream_failed', bridge_end_reason: 'signed_url_failed' });
    // What a user reads on the call (GET /api/calls/:id): which step failed and why.
    const read = (await h.t.api('GET', `/api/calls/${call.callId}`)).json();
    expect(read.failureReason).toMatch(/^ElevenLabs agent signed_url_failed: .*get-signed-url answered 503/);
    expect(h.fake.conversations.some((c) => c.agentId === call.agentId)).toBe(false);
  });

  it('should end the call when the upstream drops mid-call', async () => {
    const call = await prepareCall(h, { agent: { mode: 'echo', pingIntervalMs: 0 } });
    h.fake.setFaults({ dropAfterMs: 400 });
    let stream;
    try {
      stream = await openStream(call);
      await h.fake.waitFor((f) => f.conversations.find((c) => c.agentId === call.agentId));
    } finally {
      h.fake.clearFaults();
    }
    void stream.streamAudio(generateMulawTone(2_000, 300));
    const closed = await stream.closed;
    expect(closed.code).toBe(1000);
    expect(stream.received.media).toBeGreaterThan(0); // the echo flowed until the drop
    const row = await callRow(h.t, call.callId);
    expect(row).toMatchObject({ bridge_outcome: 'upstream_failed', bridge_end_reason: 'connection_lost' });
    expect(row.failure_reason).toMatch(/^ElevenLabs agent connection_lost: /);
  });

  it('should leave no upstream conversation behind when the caller hangs up during setup', async () => {
    h.fake.setFaults({ signedUrlDelayMs: 300 });
    const before = h.fake.totalConversations;
    try {
      const calls = await Promise.all(Array.from({ length: 6 }, () => prepareCall(h, { agent: { mode: 'echo', pingIntervalMs: 0 } })));
      // Hang up at different points: during authentication, while the signed URL is on its way, and right after.
      await Promise.all(
        calls.map(async (call, i) => {
          const stream = await openStream(call);
          void stream.streamAudio(generateMulawTone(2_000, 300));
          await sleep(i * 70);
          if (i % 2 === 0) await stream.hangUp();
          else await stream.stop();
        }),
      );
    } finally {
      h.fake.clearFaults();
    }
    // Generous: the last signed URLs answer after 300 ms, and the machine may be busy.
    await waitUntil(`no open upstream (open: ${h.fake.openConversationCount})`, () => h.fake.openConversationCount === 0, 10_000);
    await sleep(500);
    expect(h.fake.openConversationCount).toBe(0);
    expect(h.fake.totalConversations - before).toBeLessThanOrEqual(6);
  });
});
