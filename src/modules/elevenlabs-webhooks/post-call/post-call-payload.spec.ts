import { describe, expect, it } from '@jest/globals';
import { buildCallInitiationFailure, buildPostCallTranscription } from '../../../../test/simulators/elevenlabs/post-call-webhook.js';
import {
  callStatusForFailure,
  correlationKeysOf,
  parseEnvelope,
  parseInitiationFailure,
  parseTranscription,
  PostCallPayloadError,
} from './post-call-payload.js';

const CALL_ID = '3f1c6a2e-8d4b-4c3a-9f2e-1a2b3c4d5e6f';

describe('parseTranscription', () => {
  it('should read a real-shaped post_call_transcription', () => {
    const envelope = buildPostCallTranscription({ conversation_id: 'conv_abc', user_id: CALL_ID });
    const parsed = parseTranscription(parseEnvelope(JSON.parse(JSON.stringify(envelope))));
    expect(parsed.conversationId).toBe('conv_abc');
    expect(parsed.keys).toEqual({ conversationId: 'conv_abc', callIds: [CALL_ID] });
    expect(parsed.turns.map((t) => [t.index, t.role, t.offsetSecs])).toEqual([
      [0, 'agent', 0],
      [1, 'user', 3],
      [2, 'agent', 5],
    ]);
    expect(parsed.durationSecs).toBe(42);
    expect(parsed.cost).toBeGreaterThan(0);
    expect(parsed.analysis).toMatchObject({
      callSuccessful: 'success',
      evaluationResults: [{ id: 'resolved_enquiry', result: 'success' }],
      dataCollected: { customer_intent: { value: 'pricing_enquiry' } },
    });
    expect(parsed.analysis?.summary).toContain('boiler service');
  });

  it('should keep turn indexes stable when some turns have no words', () => {
    const envelope = buildPostCallTranscription({
      conversation_id: 'conv_tools',
      transcript: [
        { role: 'agent', message: 'Hello', time_in_call_secs: 0 },
        {
          role: 'agent',
          message: null,
          time_in_call_secs: 2,
          tool_calls: [{ tool_name: 'get_availability', request_id: 'r1', params_as_json: '{}', tool_has_been_called: true }],
        },
        { role: 'user', message: '  Tuesday please ', time_in_call_secs: 4.5, interrupted: true },
        { role: 'system', message: 'ignored', time_in_call_secs: 5 },
      ],
    });
    const parsed = parseTranscription(parseEnvelope(envelope));
    expect(parsed.turns).toEqual([
      { index: 0, role: 'agent', text: 'Hello', offsetSecs: 0, metadata: {} },
      { index: 2, role: 'user', text: 'Tuesday please', offsetSecs: 4.5, metadata: { interrupted: true } },
    ]);
  });

  it('should survive a missing analysis and find the correlation id in the dynamic variables', () => {
    const envelope = buildPostCallTranscription({
      conversation_id: 'conv_x',
      analysis: null,
      conversation_initiation_client_data: { dynamic_variables: { switchboard_call_id: CALL_ID.toUpperCase() }, user_id: 'not-a-uuid' },
    });
    const parsed = parseTranscription(parseEnvelope(envelope));
    expect(parsed.analysis).toBeNull();
    expect(parsed.keys.callIds).toEqual([CALL_ID]);
  });

  it('should treat numbers past what a call or a column can hold as absent', () => {
    const envelope = buildPostCallTranscription(
      {
        conversation_id: 'conv_big',
        transcript: [{ role: 'user', message: 'Hi', time_in_call_secs: 1e300 }],
        metadata: { start_time_unix_secs: 1e308, call_duration_secs: 1e300, cost: -5 },
      },
      { eventTimestamp: 1_772_532_000 },
    );
    const parsed = parseTranscription(parseEnvelope(envelope));
    expect(parsed.startedAt.toISOString()).toBe('2026-03-03T10:00:00.000Z'); // the event's timestamp instead
    expect(parsed).toMatchObject({ durationSecs: 0, cost: 0 });
    expect(parsed.turns[0].offsetSecs).toBe(0);
    const nothing = buildPostCallTranscription({ conversation_id: 'conv_big', metadata: { start_time_unix_secs: -1 } }, { eventTimestamp: 1e308 });
    expect(() => parseTranscription(parseEnvelope(nothing))).toThrow('start_time_unix_secs is missing');
  });

  it.each([
    ['not an object', 'hello'],
    ['no type', { data: {} }],
    ['no data', { type: 'post_call_transcription' }],
  ])('should refuse an envelope with %s', (_name, body) => {
    expect(() => parseEnvelope(body)).toThrow(PostCallPayloadError);
  });

  it.each([undefined, '', '../../etc/passwd', 'x'.repeat(101)])('should refuse the conversation id %p', (conversationId) => {
    expect(() => correlationKeysOf({ conversation_id: conversationId })).toThrow(PostCallPayloadError);
  });
});

describe('parseInitiationFailure', () => {
  it('should read the reason, SIP code and Twilio CallSid', () => {
    const envelope = buildCallInitiationFailure({ conversation_id: 'conv_f', failure_reason: 'no-answer' });
    (envelope.data.metadata as { body: Record<string, string> }).body.CallSid = 'CA0123456789abcdef0123456789abcdef';
    expect(parseInitiationFailure(parseEnvelope(envelope))).toEqual({
      conversationId: 'conv_f',
      keys: { conversationId: 'conv_f', callIds: [], twilioCallSid: 'CA0123456789abcdef0123456789abcdef' },
      failureReason: 'no-answer',
      sipCode: 487,
    });
  });

  it.each([
    ['busy', 'busy'],
    ['no-answer', 'no-answer'],
    ['unknown', 'failed'],
    ['weird', 'failed'],
  ])('should map %s to %s', (reason, status) => {
    expect(callStatusForFailure(reason)).toBe(status);
  });
});
