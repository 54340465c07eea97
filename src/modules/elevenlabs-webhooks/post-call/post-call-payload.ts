// Reading ElevenLabs post-call webhooks (protocol notes §2.1): the envelope, the
// post_call_transcription `data` (= GET /v1/convai/conversations/{id}), post_call_audio and
// call_initiation_failure. Tolerant of fields ElevenLabs adds or leaves out; strict only about
// what we cannot work without. Pure: no Nest, no I/O.

export type PostCallType = 'post_call_transcription' | 'post_call_audio' | 'call_initiation_failure';
export const POST_CALL_TYPES: readonly PostCallType[] = ['post_call_transcription', 'post_call_audio', 'call_initiation_failure'];

type Json = Record<string, unknown>;
const CONVERSATION_ID = /^[A-Za-z0-9_-]{1,100}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TWILIO_CALL_SID = /^CA[0-9a-f]{32}$/i;
type EvaluationResult = 'success' | 'failure' | 'unknown';

export interface Envelope {
  type: string;
  eventTimestamp: number | null;
  data: Json;
}

/** How a post-call event finds our call (contract: conversation id, then our call id, then the CallSid). */
export interface CorrelationKeys {
  conversationId: string;
  /** calls.id candidates: user_id, client-data user_id, dynamic variable switchboard_call_id (uuids only). */
  callIds: string[];
  twilioCallSid?: string;
}

export interface TranscriptTurnData {
  index: number;
  role: 'user' | 'agent';
  text: string;
  offsetSecs: number;
  metadata: Json;
}

export interface PostCallTranscription {
  conversationId: string;
  agentId: string | null;
  status: string | null;
  keys: CorrelationKeys;
  startedAt: Date;
  durationSecs: number;
  cost: number;
  terminationReason: string | null;
  mainLanguage: string | null;
  turns: TranscriptTurnData[];
  analysis: {
    callSuccessful?: EvaluationResult;
    summary: string | null;
    title: string | null;
    evaluationResults: Array<{ id: string; result: EvaluationResult; rationale: string | null }>;
    dataCollected: Record<string, unknown>;
  } | null;
}

export interface CallInitiationFailure {
  conversationId: string;
  keys: CorrelationKeys;
  failureReason: string;
  sipCode: number | null;
}

export class PostCallPayloadError extends Error {}

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const num = (v: unknown): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null;

// Ranges our columns hold and a real call can have; a number outside is treated as absent (the
// payload is signed, but a value PostgreSQL refuses would fail the event on every retry).
/** Unix seconds from 1970 to the year 3000 (a Date and a timestamptz can hold them). */
const MAX_UNIX_SECS = 32_503_680_000;
/** A week: longer than any call (durations and offsets into a call; integer/real columns). */
const MAX_CALL_SECS = 7 * 86_400;
/** Credits per conversation; calls.ai_cost and the daily sum are numeric(12,4). */
const MAX_COST = 1_000_000;
/** A number in [min, max], or null. */
export function numIn(v: unknown, min: number, max: number): number | null {
  const n = num(v);
  return n !== null && n >= min && n <= max ? n : null;
}
/** Unix seconds a Date can be made of, or null. */
export const unixSecs = (v: unknown): number | null => numIn(v, 0, MAX_UNIX_SECS);
const evaluation = (v: unknown): EvaluationResult | undefined => (v === 'success' || v === 'failure' || v === 'unknown' ? v : undefined);

export function isValidConversationId(value: unknown): value is string {
  return typeof value === 'string' && CONVERSATION_ID.test(value);
}

export function parseEnvelope(body: unknown): Envelope {
  if (!isObject(body)) throw new PostCallPayloadError('The body must be a JSON object');
  const type = str(body.type);
  if (!type) throw new PostCallPayloadError('type is missing');
  if (!isObject(body.data)) throw new PostCallPayloadError('data must be an object');
  return { type, eventTimestamp: unixSecs(body.event_timestamp), data: body.data };
}

export function conversationIdOf(data: Json): string {
  if (!isValidConversationId(data.conversation_id)) throw new PostCallPayloadError('data.conversation_id is missing or malformed');
  return data.conversation_id;
}

/** Every correlation key a post-call or conversation event carries. */
export function correlationKeysOf(data: Json): CorrelationKeys {
  const client = isObject(data.conversation_initiation_client_data) ? data.conversation_initiation_client_data : {};
  const variables = isObject(client.dynamic_variables) ? client.dynamic_variables : {};
  const candidates = [data.user_id, client.user_id, variables.switchboard_call_id];
  const callIds = [...new Set(candidates.filter((v): v is string => typeof v === 'string' && UUID.test(v)).map((v) => v.toLowerCase()))];
  const metadata = isObject(data.metadata) ? data.metadata : {};
  const phoneCall = isObject(metadata.phone_call) ? metadata.phone_call : {};
  const failureBody = isObject(metadata.body) ? metadata.body : {};
  const sid = [phoneCall.call_sid, failureBody.CallSid, failureBody.call_sid].find((v): v is string => typeof v === 'string' && TWILIO_CALL_SID.test(v));
  return { conversationId: conversationIdOf(data), callIds, ...(sid ? { twilioCallSid: sid } : {}) };
}

export function parseTranscription(envelope: Envelope): PostCallTranscription {
  const { data } = envelope;
  const keys = correlationKeysOf(data);
  const metadata = isObject(data.metadata) ? data.metadata : {};
  const startSecs = unixSecs(metadata.start_time_unix_secs) ?? envelope.eventTimestamp;
  if (startSecs === null) throw new PostCallPayloadError('data.metadata.start_time_unix_secs is missing');
  const transcript = Array.isArray(data.transcript) ? data.transcript : [];
  const turns: TranscriptTurnData[] = [];
  transcript.forEach((entry, index) => {
    if (!isObject(entry) || (entry.role !== 'user' && entry.role !== 'agent')) return;
    const text = str(entry.message)?.trim();
    if (!text) return; // tool-only turns carry no words for the timeline
    const toolNames = Array.isArray(entry.tool_calls) ? entry.tool_calls.map((c) => (isObject(c) ? str(c.tool_name) : null)).filter(Boolean) : [];
    turns.push({
      index,
      role: entry.role,
      text,
      offsetSecs: numIn(entry.time_in_call_secs, 0, MAX_CALL_SECS) ?? 0,
      metadata: { ...(entry.interrupted === true ? { interrupted: true } : {}), ...(toolNames.length ? { toolCalls: toolNames } : {}) },
    });
  });
  return {
    conversationId: keys.conversationId,
    agentId: str(data.agent_id),
    status: str(data.status),
    keys,
    startedAt: new Date(startSecs * 1000),
    durationSecs: Math.round(numIn(metadata.call_duration_secs, 0, MAX_CALL_SECS) ?? 0),
    cost: numIn(metadata.cost, 0, MAX_COST) ?? 0,
    terminationReason: str(metadata.termination_reason),
    mainLanguage: str(metadata.main_language),
    turns,
    analysis: parseAnalysis(data.analysis),
  };
}

function parseAnalysis(raw: unknown): PostCallTranscription['analysis'] {
  if (!isObject(raw)) return null;
  const criteria = isObject(raw.evaluation_criteria_results) ? raw.evaluation_criteria_results : {};
  const collection = isObject(raw.data_collection_results) ? raw.data_collection_results : {};
  return {
    callSuccessful: evaluation(raw.call_successful),
    summary: str(raw.transcript_summary)?.trim() ?? null,
    title: str(raw.call_summary_title),
    evaluationResults: Object.entries(criteria).flatMap(([id, r]) => {
      const result = isObject(r) ? evaluation(r.result) : undefined;
      return result ? [{ id: str(isObject(r) ? r.criteria_id : null) ?? id, result, rationale: isObject(r) ? str(r.rationale) : null }] : [];
    }),
    dataCollected: Object.fromEntries(
      Object.entries(collection).map(([id, r]) => [
        str(isObject(r) ? r.data_collection_id : null) ?? id,
        isObject(r) && 'value' in r ? { value: r.value ?? null, rationale: str(r.rationale) } : r,
      ]),
    ),
  };
}

export function parseInitiationFailure(envelope: Envelope): CallInitiationFailure {
  const keys = correlationKeysOf(envelope.data);
  const metadata = isObject(envelope.data.metadata) ? envelope.data.metadata : {};
  const body = isObject(metadata.body) ? metadata.body : {};
  const sip = numIn(body.SipResponseCode, 100, 699) ?? numIn(body.sip_status_code, 100, 699);
  return {
    conversationId: keys.conversationId,
    keys,
    failureReason: str(envelope.data.failure_reason) ?? 'unknown',
    sipCode: sip !== null ? Math.round(sip) : null,
  };
}

/** Our call status for an ElevenLabs failure_reason (Twilio's vocabulary, as the calls table uses). */
export function callStatusForFailure(reason: string): 'busy' | 'no-answer' | 'failed' {
  return reason === 'busy' ? 'busy' : reason === 'no-answer' ? 'no-answer' : 'failed';
}
