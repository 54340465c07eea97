import { describe, expect, it } from '@jest/globals';
import { ConversationEventError, parseConversationEvent, toRealtimeEvent } from './conversation-event.js';

const NOW = new Date('2026-03-03T10:00:00Z');
const event = (type: string, data: Record<string, unknown> = {}) =>
  parseConversationEvent({ type, event_timestamp: 1_772_532_000, data: { conversation_id: 'conv_1', ...data } }, NOW);

describe('parseConversationEvent', () => {
  it('should read the envelope and correlation keys', () => {
    const parsed = event('conversation_started', { user_id: '3f1c6a2e-8d4b-4c3a-9f2e-1a2b3c4d5e6f' });
    expect(parsed.occurredAt.toISOString()).toBe('2026-03-03T10:00:00.000Z');
    expect(parsed.keys).toEqual({ conversationId: 'conv_1', callIds: ['3f1c6a2e-8d4b-4c3a-9f2e-1a2b3c4d5e6f'] });
  });

  it.each([1e308, -1, Number.MAX_SAFE_INTEGER, 'soon'])('should take the time of receipt for the event_timestamp %p', (ts) => {
    expect(parseConversationEvent({ type: 'interruption', event_timestamp: ts, data: { conversation_id: 'c' } }, NOW).occurredAt).toBe(NOW);
  });

  it.each([
    ['no type', { data: { conversation_id: 'c' } }],
    ['a type with spaces', { type: 'user said', data: { conversation_id: 'c' } }],
    ['no conversation id', { type: 'interruption', data: {} }],
    ['data as a list', { type: 'interruption', data: [] }],
  ])('should refuse %s', (_name, body) => {
    expect(() => parseConversationEvent(body, NOW)).toThrow(ConversationEventError);
  });
});

describe('toRealtimeEvent', () => {
  it.each([
    ['user_transcript', { user_transcription_event: { user_transcript: 'Hi there' } }, 'call.transcript', { role: 'user', text: 'Hi there' }],
    ['agent_response', { agent_response_event: { agent_response: 'Hello!' } }, 'call.transcript', { role: 'agent', text: 'Hello!' }],
    ['interruption', {}, 'call.interruption', {}],
    ['transfer_to_number', { tool_name: 'transfer_to_number' }, 'call.tool', { tool: 'transfer_to_number' }],
    ['error', { message: 'LLM timed out' }, 'alert', { level: 'error', message: 'LLM timed out' }],
    ['conversation_started', {}, 'call.status', { stage: 'conversation_started' }],
  ])('should map %s', (type, data, realtimeType, fields) => {
    const mapped = toRealtimeEvent(event(type, data));
    expect(mapped.type).toBe(realtimeType);
    expect(mapped.data).toMatchObject({ conversationId: 'conv_1', event: type, ...fields });
  });
});
