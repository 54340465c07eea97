import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import * as serialization from '@elevenlabs/elevenlabs-js/serialization/index.js';
import { ConversationTestClient } from './conversation-test-client.js';
import { FakeElevenLabs } from './fake-elevenlabs.js';
import type { JsonObject } from './fake-elevenlabs-types.js';

const API_KEY = 'sk_tenant_a';
const ULAW_20MS = Buffer.alloc(160, 0xff).toString('base64');

describe('FakeElevenLabs', () => {
  let fake: FakeElevenLabs;
  const clients: ConversationTestClient[] = [];

  beforeAll(async () => {
    fake = await FakeElevenLabs.start({
      host: '127.0.0.1',
      apiKeys: [API_KEY],
      agents: {
        agent_public: { mode: 'echo', pingIntervalMs: 0, initiationTimeoutMs: 20 },
        agent_private: { mode: 'echo', requiresAuth: true, pingIntervalMs: 0, initiationTimeoutMs: 20 },
        agent_short: {
          pingIntervalMs: 0,
          initiationTimeoutMs: 20,
          firstMessage: 'Hello',
          script: [{ waitForUserAudioMs: 20, userTranscript: 'Hi', agentResponse: 'Bye', agentAudioMs: 20 }, { endConversation: true }],
        },
      },
    });
  });

  afterEach(async () => {
    fake.clearFaults();
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await fake.waitFor((f) => f.openConversationCount === 0);
  });

  afterAll(async () => {
    await fake.stop();
  });

  async function connect(url: string): Promise<ConversationTestClient> {
    const client = await ConversationTestClient.connect(url);
    clients.push(client);
    return client;
  }

  function publicUrl(agentId: string): string {
    return `${fake.wsBaseUrl}/v1/convai/conversation?agent_id=${agentId}`;
  }

  async function getSignedUrl(agentId: string, headers: Record<string, string> = { 'xi-api-key': API_KEY }) {
    const res = await fetch(`${fake.baseUrl}/v1/convai/conversation/get-signed-url?agent_id=${agentId}`, { headers });
    return { status: res.status, body: (await res.json()) as JsonObject };
  }

  async function startConversation(url: string): Promise<{ client: ConversationTestClient; conversationId: string }> {
    const client = await connect(url);
    client.send({ type: 'conversation_initiation_client_data' });
    const metadata = await client.waitForMessage('conversation_initiation_metadata');
    const event = metadata.conversation_initiation_metadata_event as { conversation_id: string };
    return { client, conversationId: event.conversation_id };
  }

  describe('signed URL flow', () => {
    it('issues a one-time signed URL that opens a private agent conversation', async () => {
      const { status, body } = await getSignedUrl('agent_private');
      expect(status).toBe(200);
      const signedUrl = body.signed_url as string;
      expect(signedUrl).toMatch(
        new RegExp(`^ws://127\\.0\\.0\\.1:${fake.port}/v1/convai/conversation\\?agent_id=agent_private&conversation_signature=[\\w-]+$`),
      );
      const { conversationId } = await startConversation(signedUrl);
      expect(fake.getConversation(conversationId)?.usedSignature).toBe(true);
      expect(fake.signedUrlRequests.at(-1)).toMatchObject({ agentId: 'agent_private', apiKey: API_KEY, status: 200 });

      const reuse = await connect(signedUrl);
      const closed = await reuse.waitForClose();
      expect(closed.code).toBe(1008);
      expect(closed.reason).toMatch(/already used/);
    });

    it('refuses a private agent without a signature (close 1008) but lets a public agent in', async () => {
      const denied = await connect(publicUrl('agent_private'));
      expect((await denied.waitForClose()).code).toBe(1008);
      expect(denied.messages).toHaveLength(0);
      expect(fake.rejectedConnections.at(-1)).toMatchObject({ agentId: 'agent_private', closeCode: 1008 });
      const { conversationId } = await startConversation(publicUrl('agent_public'));
      expect(fake.getConversation(conversationId)?.usedSignature).toBe(false);
    });

    it('answers 401 for a missing or unknown xi-api-key, 404 for an unknown agent, 422 without agent_id', async () => {
      expect(await getSignedUrl('agent_private', {})).toEqual({
        status: 401,
        body: { detail: { status: 'needs_authorization', message: expect.any(String) } },
      });
      expect(await getSignedUrl('agent_private', { 'xi-api-key': 'sk_other' })).toEqual({
        status: 401,
        body: { detail: { status: 'invalid_api_key', message: 'Invalid API key' } },
      });
      expect((await getSignedUrl('agent_nope')).status).toBe(404);
      const res = await fetch(`${fake.baseUrl}/v1/convai/conversation/get-signed-url`, { headers: { 'xi-api-key': API_KEY } });
      expect(res.status).toBe(422);
      await res.arrayBuffer();
    });

    it('refuses an expired signature', async () => {
      const shortLived = await FakeElevenLabs.start({ signedUrlTtlMs: 1, agents: { a: { requiresAuth: true } } });
      try {
        const res = await fetch(`${shortLived.baseUrl}/v1/convai/conversation/get-signed-url?agent_id=a`, {
          headers: { 'xi-api-key': 'any' },
        });
        const { signed_url } = (await res.json()) as { signed_url: string };
        await new Promise((r) => setTimeout(r, 10));
        const client = await ConversationTestClient.connect(signed_url);
        const closed = await client.waitForClose();
        expect(closed).toEqual({ code: 1008, reason: expect.stringMatching(/expired/) });
      } finally {
        await shortLived.stop();
      }
    });

    it('refuses unknown agents on the socket', async () => {
      const client = await connect(publicUrl('agent_nope'));
      expect((await client.waitForClose()).code).toBe(1008);
    });
  });

  describe('REST', () => {
    it('register-call returns TwiML and records the registration', async () => {
      const body = {
        agent_id: 'agent_public',
        from_number: '+15550001111',
        to_number: '+15550002222',
        direction: 'inbound',
        conversation_initiation_client_data: { dynamic_variables: { tenant_id: 't&1' } },
      };
      const res = await fetch(`${fake.baseUrl}/v1/convai/twilio/register-call`, {
        method: 'POST',
        headers: { 'xi-api-key': API_KEY, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const twiml = await res.text();
      expect(twiml).toMatch(
        /^<\?xml version="1\.0" encoding="UTF-8"\?><Response><Connect><Stream url="ws:\/\/127\.0\.0\.1:\d+\/v1\/convai\/[^"]+">(<Parameter name="\w+" value="[^"]*"\/>)+<\/Stream><\/Connect><\/Response>$/,
      );
      expect(twiml).toContain('<Parameter name="from_number" value="+15550001111"/>');
      expect(fake.registeredCalls.at(-1)).toMatchObject({ ...body, apiKey: API_KEY, twiml });
    });

    it('register-call validates the key and the body', async () => {
      const post = (headers: Record<string, string>, body: string) =>
        fetch(`${fake.baseUrl}/v1/convai/twilio/register-call`, { method: 'POST', headers, body }).then(async (r) => {
          await r.arrayBuffer();
          return r.status;
        });
      expect(await post({}, '{}')).toBe(401);
      expect(await post({ 'xi-api-key': API_KEY }, '{"agent_id":"agent_public"}')).toBe(422);
      expect(await post({ 'xi-api-key': API_KEY }, 'not json')).toBe(422);
      expect(await post({ 'xi-api-key': API_KEY }, '{"agent_id":"x","from_number":"+1","to_number":"+2"}')).toBe(404);
    });

    it('GET conversations/{id} returns a GetConversationResponseModel that the official SDK schema accepts', async () => {
      const { client, conversationId } = await startConversation(publicUrl('agent_short'));
      await client.waitForMessage('agent_response');
      client.sendAudio(ULAW_20MS);
      expect((await client.waitForClose()).code).toBe(1000);
      await fake.waitFor((f) => f.getConversation(conversationId)?.state === 'closed');

      const res = await fetch(`${fake.baseUrl}/v1/convai/conversations/${conversationId}`, { headers: { 'xi-api-key': API_KEY } });
      expect(res.status).toBe(200);
      const details = (await res.json()) as JsonObject;
      expect(details).toMatchObject({
        agent_id: 'agent_short',
        conversation_id: conversationId,
        status: 'done',
        transcript: [
          { role: 'agent', message: 'Hello', time_in_call_secs: expect.any(Number) },
          { role: 'user', message: 'Hi', time_in_call_secs: expect.any(Number) },
          { role: 'agent', message: 'Bye', time_in_call_secs: expect.any(Number) },
        ],
        metadata: { start_time_unix_secs: expect.any(Number), call_duration_secs: expect.any(Number), cost: expect.any(Number) },
        analysis: {
          call_successful: 'success',
          transcript_summary: expect.any(String),
          data_collection_results: expect.any(Object),
          evaluation_criteria_results: expect.any(Object),
        },
        conversation_initiation_client_data: { dynamic_variables: expect.any(Object) },
      });
      const parsed = serialization.GetConversationResponseModel.parse(details, { unrecognizedObjectKeys: 'fail' });
      expect(parsed.ok ? [] : parsed.errors).toEqual([]);

      const missing = await fetch(`${fake.baseUrl}/v1/convai/conversations/conv_nope`, { headers: { 'xi-api-key': API_KEY } });
      expect(missing.status).toBe(404);
      await missing.arrayBuffer();
      const noKey = await fetch(`${fake.baseUrl}/v1/convai/conversations/${conversationId}`);
      expect(noKey.status).toBe(401);
      await noKey.arrayBuffer();
    });

    it('reports an open conversation as in-progress', async () => {
      const { conversationId } = await startConversation(publicUrl('agent_public'));
      expect(fake.conversationDetails(conversationId)).toMatchObject({ status: 'in-progress', analysis: null });
    });
  });

  describe('faults', () => {
    it('signedUrlDelayMs delays the signed URL', async () => {
      fake.setFaults({ signedUrlDelayMs: 150 });
      const started = Date.now();
      expect((await getSignedUrl('agent_private')).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    });

    it.each([500, 401, 429])('signedUrlStatus %i answers an error JSON', async (status) => {
      fake.setFaults({ signedUrlStatus: status });
      const res = await getSignedUrl('agent_private');
      expect(res.status).toBe(status);
      expect(res.body).toEqual({ detail: { status: expect.any(String), message: expect.any(String) } });
    });

    it('rejectWebSocket refuses the upgrade with an HTTP status', async () => {
      fake.setFaults({ rejectWebSocket: 403 });
      await expect(ConversationTestClient.connect(publicUrl('agent_public'))).rejects.toMatchObject({ statusCode: 403 });
      fake.setFaults({ rejectWebSocket: true });
      await expect(ConversationTestClient.connect(publicUrl('agent_public'))).rejects.toMatchObject({ statusCode: 503 });
    });

    it('wrongAudioFormat announces pcm_16000', async () => {
      fake.setFaults({ wrongAudioFormat: true });
      const client = await connect(publicUrl('agent_public'));
      client.send({ type: 'conversation_initiation_client_data' });
      const metadata = await client.waitForMessage('conversation_initiation_metadata');
      expect(metadata.conversation_initiation_metadata_event).toMatchObject({
        agent_output_audio_format: 'pcm_16000',
        user_input_audio_format: 'pcm_16000',
      });
    });

    it('dropAfterMs destroys the socket without a close frame', async () => {
      fake.setFaults({ dropAfterMs: 50 });
      const { client, conversationId } = await startConversation(publicUrl('agent_public'));
      expect((await client.waitForClose()).code).toBe(1006);
      await fake.waitFor((f) => f.getConversation(conversationId)?.state === 'closed');
      expect(fake.getConversation(conversationId)).toMatchObject({ closedBy: 'server-abrupt', closeCode: 1006, status: 'failed' });
    });

    it('dropAfterMessages destroys the socket after N client messages', async () => {
      fake.setFaults({ dropAfterMessages: 4 });
      const { client } = await startConversation(publicUrl('agent_public'));
      for (let i = 0; i < 5; i++) client.sendAudio(ULAW_20MS);
      expect((await client.waitForClose()).code).toBe(1006);
      expect(client.ofType('audio')).toHaveLength(2); // init + 2 echoed chunks, the 4th message drops
    });

    it('errorEvent sends an llm_error then closes 1011', async () => {
      fake.setFaults({ errorEvent: { afterMs: 20 } });
      const { client, conversationId } = await startConversation(publicUrl('agent_public'));
      expect(await client.waitForClose()).toEqual({ code: 1011, reason: expect.any(String) });
      expect(client.ofType('error')).toEqual([{ type: 'error', error_event: { code: 1011, message: expect.any(String), error_type: 'llm_error' } }]);
      await fake.waitFor((f) => f.getConversation(conversationId)?.state === 'closed');
      expect(fake.getConversation(conversationId)?.status).toBe('failed');
    });

    it('faults set at start apply and runtime control methods work', async () => {
      const faulty = await FakeElevenLabs.start({ faults: { signedUrlStatus: 500 } });
      try {
        const res = await fetch(`${faulty.baseUrl}/v1/convai/conversation/get-signed-url?agent_id=x`, {
          headers: { 'xi-api-key': 'k' },
        });
        expect(res.status).toBe(500);
        await res.arrayBuffer();
        faulty.clearFaults();
        const client = await ConversationTestClient.connect(`${faulty.wsBaseUrl}/v1/convai/conversation?agent_id=x`);
        client.send({ type: 'conversation_initiation_client_data' });
        const metadata = await client.waitForMessage('conversation_initiation_metadata');
        const id = (metadata.conversation_initiation_metadata_event as { conversation_id: string }).conversation_id;
        faulty.interruptConversation(id, 1);
        await client.waitForMessage('interruption');
        faulty.failConversation(id, 1011, 'llm_timeout', 'LLM timed out');
        expect((await client.waitForClose()).code).toBe(1011);
        expect(client.ofType('error')[0]).toMatchObject({ error_event: { error_type: 'llm_timeout' } });
      } finally {
        await faulty.stop();
      }
    });
  });

  it('stop() terminates open conversations and leaves nothing open', async () => {
    const other = await FakeElevenLabs.start();
    const client = await ConversationTestClient.connect(`${other.wsBaseUrl}/v1/convai/conversation?agent_id=any`);
    client.send({ type: 'conversation_initiation_client_data' });
    await client.waitForMessage('conversation_initiation_metadata');
    expect(other.openConversationCount).toBe(1);
    expect(other.totalConversations).toBe(1);
    await other.stop();
    expect((await client.waitForClose()).code).toBe(1006);
    expect(other.openConversationCount).toBe(0);
  });
});
