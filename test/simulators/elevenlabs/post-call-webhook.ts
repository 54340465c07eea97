import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { fakeMp3Bytes } from './agent-audio.js';
import { buildConversationDetails, newConversationId } from './conversation-details.js';
import type { ConversationAnalysis, ConversationRecord, JsonObject, WebhookDeliveryResult } from './fake-elevenlabs-types.js';

// Post-call webhooks as ElevenLabs sends them (protocol notes §2.1) and their HMAC signature (§2.2):
// header `ElevenLabs-Signature: t=<unix secs>,v0=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
// Implemented from the published algorithm (js-sdk wrapper/webhooks.ts, py-sdk webhooks_custom.py);
// the spec checks the result against the official SDK verifier.

export type WebhookType = 'post_call_transcription' | 'post_call_audio' | 'call_initiation_failure';

export interface WebhookEnvelope<T extends JsonObject = JsonObject> {
  type: WebhookType;
  event_timestamp: number;
  data: T;
}

export interface WebhookBuildOptions {
  /** Unix seconds; default now. */
  eventTimestamp?: number;
}

function nowSecs(): number {
  return Math.floor(Date.now() / 1000);
}

function isConversationRecord(value: unknown): value is ConversationRecord {
  return typeof value === 'object' && value !== null && 'conversationId' in value && 'receivedAudioChunks' in value;
}

function sampleRecord(agentId: string, conversationId: string): ConversationRecord {
  const startedAtMs = Date.now() - 42_000;
  return {
    conversationId,
    agentId,
    state: 'closed',
    status: 'done',
    startedAtMs,
    openedAtMs: startedAtMs,
    endedAtMs: startedAtMs + 42_000,
    closedBy: 'server',
    closeCode: 1000,
    terminationReason: 'end_call tool was called.',
    usedSignature: true,
    query: {},
    textOnly: false,
    announcedFormats: { user_input_audio_format: 'ulaw_8000', agent_output_audio_format: 'ulaw_8000' },
    receivedMessageCount: 2000,
    receivedAudioChunks: 2000,
    receivedAudioBytes: 320_000,
    receivedAudioPayloads: [],
    messages: [],
    sentMessageCount: 40,
    sentAudioChunks: 40,
    sentEvents: [],
    pingsSent: 0,
    pongLatenciesMs: [],
    toolResults: [],
    transcript: [
      { role: 'agent', message: 'Hello, how can I help you today?', time_in_call_secs: 0, source_medium: 'audio' },
      { role: 'user', message: 'Hi, how much is a boiler service?', time_in_call_secs: 3, source_medium: 'audio' },
      { role: 'agent', message: 'A boiler service is 90 pounds.', time_in_call_secs: 5, source_medium: 'audio' },
    ],
    errors: [],
  };
}

function mergeDetails(base: JsonObject, overrides: JsonObject): JsonObject {
  const merged: JsonObject = { ...base, ...overrides };
  for (const key of ['metadata', 'analysis', 'conversation_initiation_client_data']) {
    const o = overrides[key];
    const b = base[key];
    if (o !== null && typeof o === 'object' && b !== null && typeof b === 'object') {
      merged[key] = { ...(b as JsonObject), ...(o as JsonObject) };
    }
  }
  return merged;
}

/** `post_call_transcription`: data = GetConversationResponseModel of a fake conversation, or sample data with overrides. */
export function buildPostCallTranscription(
  source: ConversationRecord | JsonObject = {},
  options: WebhookBuildOptions & { analysis?: Partial<ConversationAnalysis> } = {},
): WebhookEnvelope {
  let data: JsonObject;
  if (isConversationRecord(source)) {
    data = buildConversationDetails(source, options.analysis);
  } else {
    const agentId = typeof source.agent_id === 'string' ? source.agent_id : 'agent_fake_default';
    const conversationId = typeof source.conversation_id === 'string' ? source.conversation_id : newConversationId();
    data = mergeDetails(buildConversationDetails(sampleRecord(agentId, conversationId), options.analysis), source);
  }
  return { type: 'post_call_transcription', event_timestamp: options.eventTimestamp ?? nowSecs(), data };
}

/** `post_call_audio`: data { agent_id, conversation_id, full_audio (base64 MP3) }. */
export function buildPostCallAudio(
  source: ConversationRecord | { agent_id?: string; conversation_id?: string; full_audio?: string } = {},
  options: WebhookBuildOptions = {},
): WebhookEnvelope {
  const ids = isConversationRecord(source)
    ? { agent_id: source.agentId, conversation_id: source.conversationId }
    : { agent_id: source.agent_id ?? 'agent_fake_default', conversation_id: source.conversation_id ?? newConversationId() };
  const fullAudio = (!isConversationRecord(source) && source.full_audio) || fakeMp3Bytes().toString('base64');
  return {
    type: 'post_call_audio',
    event_timestamp: options.eventTimestamp ?? nowSecs(),
    data: { ...ids, full_audio: fullAudio },
  };
}

export interface CallInitiationFailureOverrides {
  agent_id?: string;
  conversation_id?: string;
  failure_reason?: 'busy' | 'no-answer' | 'unknown';
  metadata?: JsonObject;
}

/** `call_initiation_failure` with Twilio StatusCallback fields in `metadata.body`. */
export function buildCallInitiationFailure(overrides: CallInitiationFailureOverrides = {}, options: WebhookBuildOptions = {}): WebhookEnvelope {
  const failureReason = overrides.failure_reason ?? 'busy';
  const twilioStatus = failureReason === 'no-answer' ? 'no-answer' : failureReason === 'busy' ? 'busy' : 'failed';
  return {
    type: 'call_initiation_failure',
    event_timestamp: options.eventTimestamp ?? nowSecs(),
    data: {
      agent_id: overrides.agent_id ?? 'agent_fake_default',
      conversation_id: overrides.conversation_id ?? newConversationId(),
      failure_reason: failureReason,
      metadata: overrides.metadata ?? {
        type: 'twilio',
        body: {
          AccountSid: 'AC00000000000000000000000000000000',
          ApiVersion: '2010-04-01',
          CallSid: 'CA00000000000000000000000000000000',
          CallStatus: twilioStatus,
          Direction: 'outbound-api',
          From: '+15550001111',
          To: '+15550002222',
          Called: '+15550002222',
          Caller: '+15550001111',
          SipResponseCode: failureReason === 'busy' ? '486' : failureReason === 'no-answer' ? '487' : '500',
          CallbackSource: 'call-progress-events',
          SequenceNumber: '0',
          Timestamp: new Date().toUTCString(),
        },
      },
    },
  };
}

/** The `ElevenLabs-Signature` header value for a raw body. */
export function signElevenLabsPayload(
  rawBody: string | Buffer,
  secret: string,
  t: number = nowSecs(),
  headerOrder: 't-first' | 'v0-first' = 't-first',
): string {
  const hex = createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest('hex');
  return headerOrder === 't-first' ? `t=${t},v0=${hex}` : `v0=${hex},t=${t}`;
}

export interface DeliverWebhookOptions {
  /** Unix seconds used in the signature; default now. */
  timestamp?: number;
  headerOrder?: 't-first' | 'v0-first';
  /** Replaces the computed header (negative tests); null = send no signature header. */
  signatureHeader?: string | null;
  headers?: Record<string, string>;
  /** Send with `transfer-encoding: chunked` (how post_call_audio is delivered). */
  chunked?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** POSTs the payload as raw JSON with a signature header; resolves with the receiver's answer. */
export function deliverWebhook(url: string, payload: object | string, secret: string, options: DeliverWebhookOptions = {}): Promise<WebhookDeliveryResult> {
  const rawBody = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const computed = signElevenLabsPayload(rawBody, secret, options.timestamp ?? nowSecs(), options.headerOrder);
  const signatureHeader = options.signatureHeader === undefined ? computed : options.signatureHeader;
  const body = Buffer.from(rawBody, 'utf8');
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(options.headers ?? {}) };
  if (signatureHeader !== null) headers['ElevenLabs-Signature'] = signatureHeader;
  if (!options.chunked) headers['content-length'] = String(body.length);
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;

  return new Promise((resolve, reject) => {
    const req = transport.request(target, { method: 'POST', headers, agent: false, signal: options.signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          rawBody,
          signatureHeader: signatureHeader ?? '',
        }),
      );
      res.on('error', reject);
    });
    req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error(`Webhook delivery to ${url} timed out`)));
    req.on('error', reject);
    if (options.chunked) {
      const half = Math.floor(body.length / 2);
      req.write(body.subarray(0, half));
      req.end(body.subarray(half));
    } else {
      req.end(body);
    }
  });
}
