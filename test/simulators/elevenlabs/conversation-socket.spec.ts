import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { toneChunkBase64 } from './agent-audio.js';
import { ConversationTestClient } from './conversation-test-client.js';
import { FakeElevenLabs } from './fake-elevenlabs.js';
import type { JsonObject } from './fake-elevenlabs-types.js';

const ULAW_20MS = Buffer.alloc(160, 0xff).toString('base64');

type AudioMessage = { audio_event: { audio_base_64: string; event_id: number } };

describe('ConversationSocket (fake /v1/convai/conversation)', () => {
  let fake: FakeElevenLabs;
  const clients: ConversationTestClient[] = [];

  beforeAll(async () => {
    fake = await FakeElevenLabs.start({
      agents: {
        agent_echo: { mode: 'echo', pingIntervalMs: 0, initiationTimeoutMs: 50 },
        agent_ping: { mode: 'echo', pingIntervalMs: 25, maxMissedPongs: 3, initiationTimeoutMs: 10 },
        agent_pcm: { mode: 'echo', pingIntervalMs: 0, initiationTimeoutMs: 50, userInputAudioFormat: 'pcm_16000', agentOutputAudioFormat: 'pcm_16000' },
        agent_vars: { mode: 'scripted', pingIntervalMs: 0, requiredDynamicVariables: ['customer_name'] },
        agent_script: {
          pingIntervalMs: 0,
          initiationTimeoutMs: 100,
          firstMessage: 'Hello {{customer_name}}, how can I help?',
          script: [
            {
              waitForUserAudioMs: 100,
              userTranscript: 'Hi, how much is a boiler service?',
              agentResponse: 'A boiler service is 90 pounds...',
              agentAudioMs: 60,
              interruption: { staleAudioChunks: 2 },
              correction: { corrected: 'A boiler service is' },
            },
            { clientToolCall: { tool_name: 'end_call', parameters: { reason: 'done' } } },
            { endConversation: true },
          ],
        },
        agent_text: {
          pingIntervalMs: 0,
          firstMessage: 'Hi, this is the SMS assistant.',
          script: [{ agentResponse: 'never spoken in text mode' }],
        },
        agent_text_custom: {
          pingIntervalMs: 0,
          textOnly: true,
          textReply: async (text, conversation) => `${conversation.agentId} got ${text.length} chars`,
        },
      },
    });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await fake.waitFor((f) => f.openConversationCount === 0);
  });

  afterAll(async () => {
    await fake.stop();
  });

  async function connect(agentId: string, autoPong = true): Promise<ConversationTestClient> {
    const client = await ConversationTestClient.connect(`${fake.wsBaseUrl}/v1/convai/conversation?agent_id=${agentId}`, { autoPong });
    clients.push(client);
    return client;
  }

  function recordOf(metadata: JsonObject) {
    const event = metadata.conversation_initiation_metadata_event as { conversation_id: string };
    const record = fake.getConversation(event.conversation_id);
    if (record === undefined) throw new Error('conversation not recorded');
    return record;
  }

  it('answers the initiation data with conversation_initiation_metadata and records it', async () => {
    const client = await connect('agent_echo');
    const initiation = {
      type: 'conversation_initiation_client_data',
      dynamic_variables: { tenant_id: 't1', call_sid: 'CA1' },
      user_id: 'CA1',
    };
    client.send(initiation);
    const metadata = await client.waitForMessage('conversation_initiation_metadata');
    expect(metadata).toEqual({
      type: 'conversation_initiation_metadata',
      conversation_initiation_metadata_event: {
        conversation_id: expect.stringMatching(/^conv_[0-9a-z]{26}$/),
        agent_output_audio_format: 'ulaw_8000',
        user_input_audio_format: 'ulaw_8000',
      },
    });
    const record = recordOf(metadata);
    expect(record.initiation).toEqual(initiation);
    expect(record.state).toBe('open');
    expect(client.messages[0]).toBe(metadata);
  });

  it('starts with agent defaults when no initiation data arrives, and announces the agent formats', async () => {
    const client = await connect('agent_pcm');
    const metadata = await client.waitForMessage('conversation_initiation_metadata', 1500);
    expect(metadata.conversation_initiation_metadata_event).toMatchObject({
      agent_output_audio_format: 'pcm_16000',
      user_input_audio_format: 'pcm_16000',
    });
    expect(recordOf(metadata).initiation).toBeUndefined();
  });

  it.each([
    [
      'fields nested under conversation_initiation_client_data',
      JSON.stringify({
        type: 'conversation_initiation_client_data',
        conversation_initiation_client_data: { dynamic_variables: { a: '1' } },
      }),
    ],
    ['bad JSON', '{"type":"conversation_initiation_client_data",'],
    ['non-primitive dynamic variable', JSON.stringify({ type: 'conversation_initiation_client_data', dynamic_variables: { a: { b: 1 } } })],
  ])('rejects a malformed first message (%s) with an error event and close 1008', async (_label, raw) => {
    const client = await connect('agent_echo');
    client.send(raw);
    const closed = await client.waitForClose();
    expect(closed.code).toBe(1008);
    expect(client.messages).toEqual([{ type: 'error', error_event: { code: 1008, message: expect.any(String), error_type: 'invalid_message' } }]);
  });

  it('fails the initiation when a required dynamic variable is missing', async () => {
    const client = await connect('agent_vars');
    client.send({ type: 'conversation_initiation_client_data', dynamic_variables: {} });
    expect((await client.waitForClose()).code).toBe(1008);
    expect(client.messages[0]).toEqual({
      type: 'error',
      error_event: {
        code: 1008,
        error_type: 'missing_dynamic_variable',
        message: "Missing required dynamic variables in prompt: {'customer_name'}",
      },
    });
  });

  it('pings with increasing event ids, first ping_ms null, and records pong latency', async () => {
    const client = await connect('agent_ping');
    const pings = await client.waitForCount('ping', 3, 1000);
    const events = pings.map((p) => p.ping_event as { event_id: number; ping_ms: number | null });
    expect(events[0].ping_ms).toBeNull();
    expect(typeof events[2].ping_ms).toBe('number');
    expect(events[1].event_id).toBeGreaterThan(events[0].event_id);
    const record = recordOf(client.messages[0]);
    await fake.waitFor(() => record.pongLatenciesMs.length >= 2);
    expect(record.messages.filter((m) => m.type === 'pong')[0]).toEqual({ type: 'pong', event_id: events[0].event_id });
  });

  it('closes the conversation after too many missed pongs', async () => {
    const client = await connect('agent_ping', false);
    const closed = await client.waitForClose(1000);
    expect(closed.code).toBe(1008);
    expect(client.ofType('ping')).toHaveLength(3);
    expect(client.ofType('error')[0]).toMatchObject({ error_event: { code: 1008, error_type: 'transport_receive_timeout' } });
  });

  it('echo mode returns each user_audio_chunk unchanged with increasing event ids', async () => {
    const client = await connect('agent_echo');
    client.send({ type: 'conversation_initiation_client_data' });
    const metadata = await client.waitForMessage('conversation_initiation_metadata');
    const payloads = [ULAW_20MS, toneChunkBase64('ulaw_8000', 20), Buffer.from('abc').toString('base64')];
    for (const p of payloads) client.sendAudio(p);
    client.send(`{ "user_audio_chunk": "${ULAW_20MS}" }`); // non-canonical JSON takes the slow path
    const audio = (await client.waitForCount('audio', 4)) as unknown as AudioMessage[];
    expect(audio.map((a) => a.audio_event.audio_base_64)).toEqual([...payloads, ULAW_20MS]);
    const ids = audio.map((a) => a.audio_event.event_id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(ids).size).toBe(4);
    expect(client.ofType('agent_response')).toHaveLength(0);
    const record = recordOf(metadata);
    expect(record.receivedAudioChunks).toBe(4);
    expect(record.receivedAudioBytes).toBe(160 + 160 + 3 + 160);
    expect(record.sentAudioChunks).toBe(4);
  });

  it('records contextual_update, user_activity and feedback messages', async () => {
    const client = await connect('agent_echo');
    client.send({ type: 'conversation_initiation_client_data' });
    const metadata = await client.waitForMessage('conversation_initiation_metadata');
    client.send({ type: 'contextual_update', text: 'caller is on the premium plan' });
    client.send({ type: 'user_activity' });
    client.send({ type: 'feedback', event_id: 1, score: 'like' });
    const record = recordOf(metadata);
    await fake.waitFor(() => record.messages.length === 4);
    expect(record.messages.map((m) => m.type)).toEqual(['conversation_initiation_client_data', 'contextual_update', 'user_activity', 'feedback']);
  });

  it('runs a scripted turn: first message, transcript, audio, interruption, correction, tool call, close 1000', async () => {
    const client = await connect('agent_script');
    client.send({ type: 'conversation_initiation_client_data', dynamic_variables: { customer_name: 'Ada' } });
    const metadata = await client.waitForMessage('conversation_initiation_metadata');
    const greeting = await client.waitForMessage('agent_response');
    expect(greeting.agent_response_event).toEqual({ agent_response: 'Hello Ada, how can I help?', event_id: expect.any(Number) });

    for (let i = 0; i < 5; i++) client.sendAudio(ULAW_20MS); // 5 × 20 ms = the 100 ms the turn waits for
    const transcript = await client.waitForMessage('user_transcript');
    expect(transcript.user_transcription_event).toEqual({
      user_transcript: 'Hi, how much is a boiler service?',
      event_id: expect.any(Number),
    });
    const toolCall = await client.waitForMessage('client_tool_call');
    const call = toolCall.client_tool_call as { tool_name: string; tool_call_id: string; parameters: JsonObject; event_id: number };
    expect(call).toEqual({ tool_name: 'end_call', tool_call_id: expect.any(String), parameters: { reason: 'done' }, event_id: expect.any(Number) });
    expect(client.ws.readyState).toBe(client.ws.OPEN); // waits for the result
    client.send({ type: 'client_tool_result', tool_call_id: call.tool_call_id, result: 'ok', is_error: false });
    const closed = await client.waitForClose();
    expect(closed.code).toBe(1000);

    const types = client.messages.map((m) => m.type);
    expect(types).toEqual([
      'conversation_initiation_metadata',
      'agent_response',
      'audio',
      'audio',
      'audio',
      'audio',
      'audio',
      'audio',
      'audio',
      'audio',
      'audio',
      'audio',
      'user_transcript',
      'agent_response',
      'audio',
      'audio',
      'audio',
      'interruption',
      'audio',
      'audio',
      'agent_response_correction',
      'client_tool_call',
    ]);
    const interruptionIndex = types.indexOf('interruption');
    const interruptionId = (client.messages[interruptionIndex].interruption_event as { event_id: number }).event_id;
    const fresh = client.messages.slice(0, interruptionIndex).filter((m) => m.type === 'audio') as unknown as AudioMessage[];
    const stale = client.messages.slice(interruptionIndex).filter((m) => m.type === 'audio') as unknown as AudioMessage[];
    expect(stale.every((a) => a.audio_event.event_id < interruptionId)).toBe(true);
    expect(stale[0].audio_event.audio_base_64).not.toBe(fresh[0].audio_event.audio_base_64);
    expect(Buffer.from(fresh[0].audio_event.audio_base_64, 'base64')).toHaveLength(160);
    const secondResponse = client.messages[types.indexOf('agent_response', 2)].agent_response_event as { event_id: number };
    const firstAudioOfTurn = client.messages[types.indexOf('agent_response', 2) + 1] as unknown as AudioMessage;
    expect(firstAudioOfTurn.audio_event.event_id).toBe(secondResponse.event_id);
    expect(client.messages[types.indexOf('agent_response_correction')].agent_response_correction_event).toEqual({
      original_agent_response: 'A boiler service is 90 pounds...',
      corrected_agent_response: 'A boiler service is',
      event_id: expect.any(Number),
    });

    const record = recordOf(metadata);
    await fake.waitFor(() => record.state === 'closed');
    expect(record).toMatchObject({
      status: 'done',
      closedBy: 'server',
      closeCode: 1000,
      terminationReason: 'end_call tool was called.',
      receivedAudioChunks: 5,
      receivedAudioBytes: 800,
    });
    expect(record.toolResults).toEqual([{ tool_call_id: call.tool_call_id, result: 'ok', is_error: false, receivedAtMs: expect.any(Number) }]);
    expect(record.transcript.map((t) => [t.role, t.message])).toEqual([
      ['agent', 'Hello Ada, how can I help?'],
      ['user', 'Hi, how much is a boiler service?'],
      ['agent', 'A boiler service is'],
      ['agent', null],
      ['agent', null],
    ]);
    expect(record.transcript[2]).toMatchObject({ interrupted: true, original_message: 'A boiler service is 90 pounds...' });
  });

  it('uses the first_message override from conversation_config_override', async () => {
    const client = await connect('agent_script');
    client.send({
      type: 'conversation_initiation_client_data',
      conversation_config_override: { agent: { first_message: 'Custom hello' } },
    });
    const greeting = await client.waitForMessage('agent_response');
    expect((greeting.agent_response_event as JsonObject).agent_response).toBe('Custom hello');
  });

  it('fails the initiation when the first message needs a dynamic variable that is missing', async () => {
    const client = await connect('agent_script');
    client.send({ type: 'conversation_initiation_client_data' });
    expect((await client.waitForClose()).code).toBe(1008);
    expect((client.messages[0].error_event as JsonObject).message).toBe("Missing required dynamic variables in first message: {'customer_name'}");
  });

  it('text-only: replies to user_message with chat response parts and agent_response, no audio', async () => {
    const client = await connect('agent_text');
    client.send({
      type: 'conversation_initiation_client_data',
      conversation_config_override: { conversation: { text_only: true } },
      dynamic_variables: { customer_name: 'Bob' },
    });
    const metadata = await client.waitForMessage('conversation_initiation_metadata');
    const first = await client.waitForMessage('agent_response');
    expect((first.agent_response_event as JsonObject).agent_response).toBe('Hi, this is the SMS assistant.');
    const from = client.messages.length;
    client.send({ type: 'user_message', text: 'Can I book Tuesday?' });
    const reply = await client.waitForMessage('agent_response', 2000, from);
    const text = (reply.agent_response_event as JsonObject).agent_response as string;
    expect(text).toBe('Thanks Bob, you said: "Can I book Tuesday?". How else can I help?');
    const parts = client.messages
      .slice(from)
      .filter((m) => m.type === 'agent_chat_response_part')
      .map((m) => m.text_response_part as { text: string; type: string; event_id: number });
    expect(parts[0]).toEqual({ text: '', type: 'start', event_id: expect.any(Number) });
    expect(parts[parts.length - 1].type).toBe('stop');
    expect(
      parts
        .filter((p) => p.type === 'delta')
        .map((p) => p.text)
        .join(''),
    ).toBe(text);
    expect(client.ofType('audio')).toHaveLength(0);
    const record = recordOf(metadata);
    expect(record.textOnly).toBe(true);
    expect(record.transcript.map((t) => t.role)).toEqual(['agent', 'user', 'agent']);
  });

  it('text-only via agent config uses the configured reply function', async () => {
    const client = await connect('agent_text_custom');
    client.send({ type: 'conversation_initiation_client_data' });
    await client.waitForMessage('conversation_initiation_metadata');
    client.send({ type: 'user_message', text: 'hello' });
    const reply = await client.waitForMessage('agent_response');
    expect((reply.agent_response_event as JsonObject).agent_response).toBe('agent_text_custom got 5 chars');
  });

  it('marks the conversation closed by the client and leaves no open sockets', async () => {
    const client = await connect('agent_echo');
    client.send({ type: 'conversation_initiation_client_data' });
    const metadata = await client.waitForMessage('conversation_initiation_metadata');
    expect(fake.openConversationCount).toBe(1);
    await client.close(1000, 'caller hung up');
    const record = recordOf(metadata);
    await fake.waitFor((f) => f.openConversationCount === 0 && record.state === 'closed');
    expect(record).toMatchObject({ closedBy: 'client', closeCode: 1000, closeReason: 'caller hung up', status: 'done' });
  });
});
