import { isJsonObject } from '../../../common/json/json-object.js';
import type { RealtimeEventType } from '../../realtime/event-bus.port.js';
import { correlationKeysOf, type CorrelationKeys, PostCallPayloadError, unixSecs } from '../post-call/post-call-payload.js';

// Live conversation events, in the same signed envelope as the post-call webhooks:
// { "type": "<event>", "event_timestamp": <unix secs>, "data": { "conversation_id", ...event fields } }.
// ElevenLabs documents no live-event webhook of its own (protocol notes §2); this is what we accept
// from whatever relays them (a workflow, a post-tool webhook, a custom integration). Pure.

type Json = Record<string, unknown>;
const TYPE = /^[a-z][a-z0-9_.-]{0,47}$/;
const MAX_TEXT = 2000;

export interface ConversationEvent {
  type: string;
  occurredAt: Date;
  keys: CorrelationKeys;
  data: Json;
}

export class ConversationEventError extends Error {}

export function parseConversationEvent(body: unknown, now: Date): ConversationEvent {
  if (!isJsonObject(body)) throw new ConversationEventError('The body must be a JSON object');
  if (typeof body.type !== 'string' || !TYPE.test(body.type)) throw new ConversationEventError('type is missing or malformed');
  const data = body.data;
  if (!isJsonObject(data)) throw new ConversationEventError('data must be an object');
  let keys: CorrelationKeys;
  try {
    keys = correlationKeysOf(data);
  } catch (err) {
    if (err instanceof PostCallPayloadError) throw new ConversationEventError(err.message);
    throw err;
  }
  const secs = unixSecs(body.event_timestamp);
  const ts = secs !== null ? new Date(secs * 1000) : now;
  return { type: body.type, occurredAt: ts, keys, data };
}

export interface MappedEvent {
  type: RealtimeEventType;
  data: Record<string, unknown>;
}

// The first of `names` found, at the top level or one object down (ElevenLabs nests event
// fields, e.g. user_transcription_event.user_transcript).
const text = (data: Json, ...names: string[]): string | null => {
  for (const name of names) {
    const value = data[name];
    if (typeof value === 'string' && value.trim()) return value.trim().slice(0, MAX_TEXT);
  }
  for (const value of Object.values(data)) {
    if (!isJsonObject(value)) continue;
    for (const name of names) {
      const nested = value[name];
      if (typeof nested === 'string' && nested.trim()) return nested.trim().slice(0, MAX_TEXT);
    }
  }
  return null;
};

/** The coarse realtime event a conversation event becomes (one per event, never per audio chunk). */
export function toRealtimeEvent(event: ConversationEvent): MappedEvent {
  const base = { conversationId: event.keys.conversationId, event: event.type };
  switch (event.type) {
    case 'user_transcript':
    case 'user_message':
      return { type: 'call.transcript', data: { ...base, role: 'user', text: text(event.data, 'user_transcript', 'text', 'message') } };
    case 'agent_response':
    case 'agent_message':
    case 'agent_response_correction':
      return {
        type: 'call.transcript',
        data: { ...base, role: 'agent', text: text(event.data, 'corrected_agent_response', 'agent_response', 'text', 'message') },
      };
    case 'interruption':
      return { type: 'call.interruption', data: base };
    case 'transfer':
    case 'transfer_to_number':
    case 'transfer_to_agent':
    case 'agent_transfer':
    case 'agent_tool_response':
    case 'client_tool_call':
      return { type: 'call.tool', data: { ...base, tool: text(event.data, 'tool_name') ?? event.type } };
    case 'error':
      return { type: 'alert', data: { ...base, level: 'error', message: text(event.data, 'message', 'reason', 'error_type') } };
    default:
      return { type: 'call.status', data: { ...base, stage: event.type } };
  }
}
