import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import * as serialization from '@elevenlabs/elevenlabs-js/serialization/index.js';
import { ConversationTestClient } from './conversation-test-client.js';
import { FakeElevenLabs } from './fake-elevenlabs.js';
import type { JsonObject } from './fake-elevenlabs-types.js';
import { buildCallInitiationFailure, buildPostCallAudio, buildPostCallTranscription, deliverWebhook, signElevenLabsPayload } from './post-call-webhook.js';

const SECRET = 'wsec_test_0123456789';

interface Received {
  headers: IncomingHttpHeaders;
  rawBody: string;
}

describe('post-call webhooks', () => {
  const sdk = new ElevenLabsClient({ apiKey: 'x' });
  let receiver: http.Server;
  let receiverUrl: string;
  const received: Received[] = [];

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, rawBody: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/elevenlabs`;
  });

  afterAll(async () => {
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  describe('signElevenLabsPayload vs the official SDK verifier', () => {
    const rawBody = JSON.stringify(buildPostCallTranscription());

    it('produces t=<secs>,v0=<hex> that constructEvent accepts', async () => {
      const t = Math.floor(Date.now() / 1000);
      const header = signElevenLabsPayload(rawBody, SECRET, t);
      expect(header).toMatch(new RegExp(`^t=${t},v0=[0-9a-f]{64}$`));
      await expect(sdk.webhooks.constructEvent(rawBody, header, SECRET)).resolves.toEqual(JSON.parse(rawBody));
    });

    it('is accepted with v0 first as well', async () => {
      const header = signElevenLabsPayload(rawBody, SECRET, Math.floor(Date.now() / 1000), 'v0-first');
      expect(header.startsWith('v0=')).toBe(true);
      await expect(sdk.webhooks.constructEvent(rawBody, header, SECRET)).resolves.toBeDefined();
    });

    it('signs non-ASCII bodies over their UTF-8 bytes', async () => {
      const body = JSON.stringify(buildPostCallTranscription({ user_id: 'Zoë – ☎' }));
      const header = signElevenLabsPayload(Buffer.from(body, 'utf8'), SECRET);
      await expect(sdk.webhooks.constructEvent(body, header, SECRET)).resolves.toBeDefined();
    });

    it('is rejected for a tampered body, a wrong secret or a stale timestamp', async () => {
      const now = Math.floor(Date.now() / 1000);
      const header = signElevenLabsPayload(rawBody, SECRET, now);
      await expect(sdk.webhooks.constructEvent(rawBody.replace('done', 'fail'), header, SECRET)).rejects.toThrow(/Signature/i);
      await expect(sdk.webhooks.constructEvent(rawBody, header, 'other')).rejects.toThrow(/Signature/i);
      const stale = signElevenLabsPayload(rawBody, SECRET, now - 31 * 60);
      await expect(sdk.webhooks.constructEvent(rawBody, stale, SECRET)).rejects.toThrow(/tolerance/i);
    });
  });

  describe('envelopes', () => {
    it('post_call_transcription carries a GetConversationResponseModel', () => {
      const payload = buildPostCallTranscription(
        { conversation_id: 'conv_x', agent_id: 'agent_y', metadata: { call_duration_secs: 99 } },
        { eventTimestamp: 1739537297 },
      );
      expect(Object.keys(payload)).toEqual(['type', 'event_timestamp', 'data']);
      expect(payload).toMatchObject({
        type: 'post_call_transcription',
        event_timestamp: 1739537297,
        data: {
          conversation_id: 'conv_x',
          agent_id: 'agent_y',
          status: 'done',
          metadata: { call_duration_secs: 99, start_time_unix_secs: expect.any(Number) },
          analysis: { call_successful: 'success', transcript_summary: expect.any(String) },
        },
      });
      const parsed = serialization.GetConversationResponseModel.parse(payload.data, { unrecognizedObjectKeys: 'fail' });
      expect(parsed.ok ? [] : parsed.errors).toEqual([]);
    });

    it('post_call_audio carries base64 MP3 bytes', () => {
      const payload = buildPostCallAudio({ agent_id: 'agent_y', conversation_id: 'conv_x' });
      expect(payload.type).toBe('post_call_audio');
      expect(Object.keys(payload.data)).toEqual(['agent_id', 'conversation_id', 'full_audio']);
      const audio = Buffer.from(payload.data.full_audio as string, 'base64');
      expect(audio.subarray(0, 3).toString('latin1')).toBe('ID3');
    });

    it('call_initiation_failure carries the failure reason and Twilio metadata', () => {
      const payload = buildCallInitiationFailure({ failure_reason: 'no-answer' });
      expect(payload).toMatchObject({
        type: 'call_initiation_failure',
        event_timestamp: expect.any(Number),
        data: {
          agent_id: expect.any(String),
          conversation_id: expect.any(String),
          failure_reason: 'no-answer',
          metadata: { type: 'twilio', body: { CallSid: expect.stringMatching(/^CA/), CallStatus: 'no-answer' } },
        },
      });
    });
  });

  describe('deliverWebhook', () => {
    it('POSTs the raw JSON with an ElevenLabs-Signature header the SDK accepts', async () => {
      received.length = 0;
      const payload = buildPostCallTranscription({ conversation_id: 'conv_delivery' });
      const result = await deliverWebhook(receiverUrl, payload, SECRET);
      expect(result).toMatchObject({ status: 200, body: '{"ok":true}' });
      const [request] = received;
      expect(request.rawBody).toBe(result.rawBody);
      expect(request.headers['content-type']).toBe('application/json');
      const header = request.headers['elevenlabs-signature'] as string;
      expect(header).toBe(result.signatureHeader);
      await expect(sdk.webhooks.constructEvent(request.rawBody, header, SECRET)).resolves.toMatchObject({
        data: { conversation_id: 'conv_delivery' },
      });
    });

    it('supports a fixed timestamp, chunked transfer and a replaced header', async () => {
      received.length = 0;
      await deliverWebhook(receiverUrl, buildPostCallAudio(), SECRET, { timestamp: 1700000000, chunked: true });
      await deliverWebhook(receiverUrl, '{"raw":true}', SECRET, { signatureHeader: 't=1,v0=bad' });
      await deliverWebhook(receiverUrl, '{"raw":true}', SECRET, { signatureHeader: null });
      expect(received[0].headers['transfer-encoding']).toBe('chunked');
      expect(received[0].headers['elevenlabs-signature']).toMatch(/^t=1700000000,v0=/);
      expect(received[1].headers['elevenlabs-signature']).toBe('t=1,v0=bad');
      expect(received[2].headers['elevenlabs-signature']).toBeUndefined();
    });
  });

  it('the fake sends signed post-call webhooks when a conversation ends', async () => {
    received.length = 0;
    const fake = await FakeElevenLabs.start({
      defaultAgent: {
        pingIntervalMs: 0,
        firstMessage: 'Hello',
        script: [{ waitForUserAudioMs: 20, userTranscript: 'Hi', agentResponse: 'Bye' }, { endConversation: true }],
      },
      postCallWebhook: { url: receiverUrl, secret: SECRET, events: ['transcript', 'audio'] },
    });
    try {
      const client = await ConversationTestClient.connect(`${fake.wsBaseUrl}/v1/convai/conversation?agent_id=agent_any`);
      client.send({ type: 'conversation_initiation_client_data', user_id: 'CA123' });
      const metadata = await client.waitForMessage('conversation_initiation_metadata');
      const conversationId = (metadata.conversation_initiation_metadata_event as JsonObject).conversation_id;
      client.sendAudio(Buffer.alloc(160, 0xff).toString('base64'));
      await client.waitForClose();
      await fake.waitFor((f) => f.webhookDeliveries.length === 2 && f.webhookDeliveries.every((d) => d.status === 200));
      const events = await Promise.all(received.map((r) => sdk.webhooks.constructEvent(r.rawBody, r.headers['elevenlabs-signature'] as string, SECRET)));
      const transcription = events.find((e) => e.type === 'post_call_transcription');
      expect(transcription.data).toMatchObject({
        conversation_id: conversationId,
        agent_id: 'agent_any',
        user_id: 'CA123',
        status: 'done',
        transcript: [{ message: 'Hello' }, { message: 'Hi' }, { message: 'Bye' }],
      });
      expect(events.find((e) => e.type === 'post_call_audio').data.conversation_id).toBe(conversationId);
    } finally {
      await fake.stop();
    }
  });
});
