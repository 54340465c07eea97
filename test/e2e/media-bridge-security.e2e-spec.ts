import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ShutdownService } from '../../src/common/lifecycle/shutdown.service.js';
import { SessionTokenService } from '../../src/modules/calls/session-token.service.js';
import { MediaBridgeService } from '../../src/modules/media-bridge/media-bridge.service.js';
import { TEST_ENV } from '../setup/test-env.js';
import { generateMulawTone, MediaStreamHandshakeError, newTwilioSid, TwilioCallSimulator } from '../simulators/twilio/index.js';
import { callRow, openStream, prepareCall, sleep, startBridgeHarness, waitUntil, type BridgeHarness, type PreparedCall } from './media-bridge.support.js';

// Who may open a media stream, admission at MAX_CONCURRENT_CALLS=1, the full path through the
// voice webhook (pre-opened conversation), and the graceful drain (last: it ends the app's life).

describe('MediaBridge security, admission and drain (e2e)', () => {
  let h: BridgeHarness;
  const publicStreamUrl = `${TEST_ENV.PUBLIC_BASE_URL.replace(/^http/, 'ws')}/media-stream`;

  beforeAll(async () => {
    h = await startBridgeHarness({ MAX_CONCURRENT_CALLS: '1' });
  });

  afterAll(async () => {
    await h?.close();
  });

  beforeEach(async () => {
    // One call at a time here (MAX_CONCURRENT_CALLS=1): wait for the previous one to be gone.
    await waitUntil('no live call', () => h.t.app.get(MediaBridgeService).liveCount === 0);
  });

  // Audit rows are written asynchronously (a refusal never waits for the database).
  const denial = (reason: string, callSid: string | null) =>
    waitUntil(`audit row ${reason}`, async () => {
      const [row] = await h.t.dataSource.query(
        `SELECT actor_type, actor_id, outcome, status_code, resource_id, details FROM audit_logs
         WHERE action = 'media_stream.connect' AND details->>'reason' = $1 AND resource_id IS NOT DISTINCT FROM $2`,
        [reason, callSid],
      );
      return row;
    });

  /** Opens the stream and expects the bridge to close it with 1008 without contacting ElevenLabs. */
  async function expectRefused(call: PreparedCall, opts: Parameters<typeof openStream>[1], reason: string): Promise<void> {
    const before = { urls: h.fake.signedUrlRequests.length, conversations: h.fake.totalConversations };
    const stream = await openStream(call, opts);
    void stream.streamAudio(generateMulawTone(300, 300));
    const closed = await stream.closed;
    expect(closed).toEqual({ code: 1008, reason });
    expect(h.fake.signedUrlRequests.length).toBe(before.urls);
    expect(h.fake.totalConversations).toBe(before.conversations);
    expect(await denial(reason, call.callSid)).toMatchObject({
      actor_type: 'provider',
      actor_id: 'twilio',
      outcome: 'denied',
      details: { reason, closeCode: 1008 },
    });
  }

  it('should refuse an upgrade without a signature with 401', async () => {
    const call = await prepareCall(h);
    const err = await openStream(call, { sign: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaStreamHandshakeError);
    expect((err as MediaStreamHandshakeError).statusCode).toBe(401);
    expect(await denial('missing_signature', null)).toMatchObject({ actor_type: 'provider', outcome: 'denied', status_code: 401 });
  });

  it.each([
    ['a wrong token', { authToken: 'not-the-token' }],
    ['the https URL instead of wss', { signatureUrl: `${TEST_ENV.PUBLIC_BASE_URL}/media-stream` }],
    ['another host', { signatureUrl: 'wss://evil.example.test/media-stream' }],
  ])('should close a stream signed with %s (1008), opening nothing upstream', async (_case, opts) => {
    await expectRefused(await prepareCall(h), opts, 'bad_signature');
  });

  it('should accept the trailing-slash form of the signed URL', async () => {
    const call = await prepareCall(h);
    const stream = await openStream(call, { signatureUrl: `${publicStreamUrl}/` });
    await h.fake.waitFor((f) => f.conversations.find((c) => c.agentId === call.agentId && c.state === 'open'), 5_000);
    await stream.stop();
  });

  it('should verify a tenant subaccount with its own token at start, and only for its own calls', async () => {
    const subaccount = { accountSid: newTwilioSid('AC'), authToken: 'subaccount-token' };
    const own = await prepareCall(h, { subaccount });
    const stream = await openStream(own);
    await h.fake.waitFor((f) => f.conversations.find((c) => c.agentId === own.agentId && c.state === 'open'), 5_000);
    await stream.stop();
    await waitUntil('no live call', () => h.t.app.get(MediaBridgeService).liveCount === 0);

    // Another tenant's call, streamed "from" this subaccount with its token: signature ok, tenant wrong.
    const other = await prepareCall(h);
    const forged = new TwilioCallSimulator({ ...other.sim.options, accountSid: subaccount.accountSid, authToken: subaccount.authToken });
    const refused = await forged.openMediaStream({ streamUrl: '/media-stream', parameters: { sessionToken: other.token, callId: other.callId } });
    expect(await refused.closed).toEqual({ code: 1008, reason: 'tenant_mismatch' });
  });

  it.each([
    ['a garbage token', (c: PreparedCall) => ({ sessionToken: 'v1.nope', callId: c.callId }), 'token_malformed'],
    ['no token', (c: PreparedCall) => ({ callId: c.callId }), 'token_malformed'],
    [
      'a token for another call SID',
      (c: PreparedCall, t: SessionTokenService) => ({ sessionToken: t.issue(newTwilioSid('CA'), c.tenant.id, c.callId), callId: c.callId }),
      'token_bad_signature',
    ],
    [
      'an expired token',
      (c: PreparedCall, t: SessionTokenService) => ({ sessionToken: t.issue(c.callSid, c.tenant.id, c.callId, Date.now() - 10 * 60_000), callId: c.callId }),
      'token_expired',
    ],
    [
      'a callId that is not the token’s',
      (c: PreparedCall) => ({ sessionToken: c.token, callId: '00000000-0000-4000-8000-000000000000' }),
      'token_call_mismatch',
    ],
  ])('should close a stream with %s (1008), opening nothing upstream', async (_case, parameters, reason) => {
    const call = await prepareCall(h);
    await expectRefused(call, { parameters: parameters(call, h.t.app.get(SessionTokenService)) }, reason);
  });

  it('should refuse a reused session token', async () => {
    const call = await prepareCall(h);
    const first = await openStream(call);
    await h.fake.waitFor((f) => f.conversations.find((c) => c.agentId === call.agentId && c.state === 'open'), 5_000);
    await first.stop();
    await waitUntil('no live call', () => h.t.app.get(MediaBridgeService).liveCount === 0);
    await expectRefused(call, {}, 'token_reused');
  });

  it('should close a socket that sends no start in time', async () => {
    const call = await prepareCall(h);
    const stream = await openStream(call, { autoStart: false });
    const closed = await stream.closed;
    expect(closed).toEqual({ code: 1008, reason: 'start_timeout' });
  }, 15_000);

  it('should run a call placed through the voice webhook, with the conversation opened before the stream', async () => {
    const call = await prepareCall(h, {
      agent: {
        firstMessage: 'Hello {{customer_name}}!',
        pingIntervalMs: 0,
        script: [{ waitForUserAudioMs: 200, userTranscript: 'Hi', agentResponse: 'Bye now.', agentAudioMs: 100 }, { endConversation: true }],
      },
    });
    const number = await h.t.api('POST', `/api/tenants/${call.tenant.id}/phone-numbers`, { phoneNumber: call.sim.options.to });
    expect(number.statusCode).toBe(201);
    const sim = new TwilioCallSimulator({ ...call.sim.options, callSid: newTwilioSid('CA') });
    const voice = await sim.sendVoiceWebhook();
    expect(voice.twiml?.connect?.stream?.url).toBe(publicStreamUrl);
    // The voice webhook's answer already started the ElevenLabs conversation (the greeting waits for the stream).
    const conversation = await h.fake.waitFor((f) => f.conversations.find((c) => c.agentId === call.agentId && c.state === 'open'), 5_000);
    const stream = await sim.openMediaStream({
      streamUrl: voice.twiml!.connect!.stream!.url,
      parameters: voice.twiml!.connect!.stream!.parameters,
      session: { playbackSpeed: 20 },
    });
    void stream.streamAudio(generateMulawTone(400, 300));
    expect((await stream.closed).code).toBe(1000);
    expect(h.fake.conversations.filter((c) => c.agentId === call.agentId)).toHaveLength(1); // the pre-opened one was used
    expect(stream.received.media).toBeGreaterThanOrEqual(15); // greeting (buffered before the stream) + answer
    const [row] = await h.t.dataSource.query(`SELECT id, conversation_id, bridge_outcome FROM calls WHERE twilio_call_sid = $1`, [sim.callSid]);
    expect(row).toMatchObject({ conversation_id: conversation.conversationId, bridge_outcome: 'completed' });
    expect(conversation.initiation?.user_id).toBe(row.id);
    // Twilio then asks the <Connect action> URL what to do: the agent finished, so hang up.
    const action = await sim.requestAction();
    expect(action.status).toBe(200);
    expect(action.twiml?.hangup).toBe(true);
  });

  it('should refuse new streams with 503 at MAX_CONCURRENT_CALLS and keep the live call going', async () => {
    const live = await prepareCall(h);
    const stream = await openStream(live);
    await h.fake.waitFor((f) => f.conversations.find((c) => c.agentId === live.agentId && c.state === 'open'), 5_000);
    const audio = stream.streamAudio(generateMulawTone(1_000, 300));

    const extra = await prepareCall(h);
    const err = await openStream(extra).catch((e: unknown) => e);
    expect((err as MediaStreamHandshakeError).statusCode).toBe(503);
    const metrics = await h.t.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/media_bridge_stream_rejections_total\{reason="at_capacity"\} [1-9]/);
    expect(metrics.body).toMatch(/media_bridge_live_calls 1/);

    const sent = await audio;
    await sleep(200);
    expect(stream.received.media).toBe(sent); // the echo agent returned every frame: the live call was untouched
    await stream.stop();
  });

  it('should drain: readiness fails, new streams are refused, live calls end politely at the deadline', async () => {
    const live = await prepareCall(h);
    const stream = await openStream(live);
    await h.fake.waitFor((f) => f.conversations.find((c) => c.agentId === live.agentId && c.state === 'open'), 5_000);
    void stream.streamAudio(generateMulawTone(3_000, 300));

    const drained = h.t.app.get(ShutdownService).drain(600);
    const ready = await h.t.inject({ method: 'GET', url: '/api/health/ready' });
    expect(ready.statusCode).toBe(503);
    const late = await prepareCall(h);
    const err = await openStream(late).catch((e: unknown) => e);
    expect((err as MediaStreamHandshakeError).statusCode).toBe(503);
    expect(stream.isOpen).toBe(true); // still talking during the drain

    await drained;
    expect((await stream.closed).code).toBe(1000);
    expect(await callRow(h.t, live.callId)).toMatchObject({ bridge_outcome: 'completed', bridge_end_reason: 'shutdown' });
    await waitUntil('upstream closed', () => h.fake.openConversationCount === 0);
  });
});
