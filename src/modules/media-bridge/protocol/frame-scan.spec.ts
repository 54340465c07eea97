import { describe, expect, it } from '@jest/globals';
import { base64SpanBytes, FrameSpan, scanAgentAudio, scanTwilioMedia } from './frame-scan.js';

const payload = Buffer.from([1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]).toString('base64'); // has "+", "/" and "="
const span = new FrameSpan();
const slice = (frame: Buffer) => frame.toString('latin1', span.start, span.end);

describe('scanTwilioMedia', () => {
  it.each([
    ['Twilio order', { event: 'media', sequenceNumber: '3', media: { track: 'inbound', chunk: '1', timestamp: '5', payload }, streamSid: 'MZ1' }],
    ['streamSid before media', { event: 'media', sequenceNumber: '3', streamSid: 'MZ1', media: { payload, track: 'inbound' } }],
  ])('should find the payload (%s)', (_case, msg) => {
    const frame = Buffer.from(JSON.stringify(msg));
    expect(scanTwilioMedia(frame, span)).toBe(true);
    expect(slice(frame)).toBe(payload);
  });

  it.each([
    ['another event', JSON.stringify({ event: 'mark', streamSid: 'MZ1', mark: { name: 'payload' } })],
    ['event not first (JSON.parse decides)', JSON.stringify({ streamSid: 'MZ1', event: 'media', media: { payload } })],
    ['an escaped slash', `{"event":"media","media":{"payload":"${payload.replace('/', '\\/')}"}}`],
    ['a truncated frame', `{"event":"media","media":{"payload":"${payload}`],
    ['no payload', '{"event":"media","media":{}}'],
  ])('should leave %s to the slow path', (_case, text) => {
    expect(scanTwilioMedia(Buffer.from(text), span)).toBe(false);
  });
});

describe('scanAgentAudio', () => {
  it.each([
    ['fake order', `{"type":"audio","audio_event":{"audio_base_64":"${payload}","event_id":42}}`],
    ['type last, event_id first', `{"audio_event":{"event_id":42,"audio_base_64":"${payload}","alignment":null},"type":"audio"}`],
    ['spaces', `{"type": "audio", "audio_event": {"audio_base_64":"${payload}", "event_id": 42}}`],
  ])('should find the payload and event id (%s)', (_case, text) => {
    const frame = Buffer.from(text.replace('"type": "audio"', '"type":"audio"'));
    expect(scanAgentAudio(frame, span)).toBe(true);
    expect(slice(frame)).toBe(payload);
    expect(span.eventId).toBe(42);
  });

  it.each([
    ['a transcript quoting the key', JSON.stringify({ type: 'agent_response', agent_response_event: { agent_response: '"audio_base_64":"x"', event_id: 1 } })],
    ['a ping', '{"type":"ping","ping_event":{"event_id":3,"ping_ms":null}}'],
    ['no event id', `{"type":"audio","audio_event":{"audio_base_64":"${payload}"}}`],
    ['another type with the key', `{"type":"debug","audio_event":{"audio_base_64":"${payload}","event_id":1}}`],
  ])('should leave %s to the slow path', (_case, text) => {
    expect(scanAgentAudio(Buffer.from(text), span)).toBe(false);
  });
});

describe('base64SpanBytes', () => {
  it.each([0, 1, 2, 3, 160, 161, 162])('should count %i decoded bytes without decoding', (n) => {
    const b64 = Buffer.alloc(n, 7).toString('base64');
    expect(base64SpanBytes(Buffer.from(b64), 0, b64.length)).toBe(n);
  });
});
