// Allocation-free scanning of the two audio frames that make up almost all traffic, straight on
// the Buffer `ws` hands us (no utf-8 decode, no JSON.parse, no base64 decode — STYLE §7.14):
//   Twilio  {"event":"media",...,"media":{...,"payload":"<base64>"},...}        (docs/protocols.md §2.2)
//   ElevenLabs {"type":"audio","audio_event":{"audio_base_64":"<base64>","event_id":7}}  (docs/protocols.md §4.4)
// Anything these scanners do not recognise with certainty goes to JSON.parse instead, so an
// unusual key order or an escaped character costs speed, never correctness.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const ZERO = 0x30;
const NINE = 0x39;

const TWILIO_MEDIA_PREFIX = Buffer.from('{"event":"media"');
const TWILIO_PAYLOAD_KEY = Buffer.from('"payload":"');
const AGENT_AUDIO_KEY = Buffer.from('"audio_base_64":"');
const AGENT_AUDIO_TYPE = Buffer.from('"type":"audio"');
const EVENT_ID_KEY = Buffer.from('"event_id":');

/** Where a base64 payload sits inside a received frame (reused between frames: no allocation). */
export class FrameSpan {
  start = 0;
  end = 0;
  eventId = 0;
}

function startsWith(frame: Buffer, prefix: Buffer): boolean {
  if (frame.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (frame[i] !== prefix[i]) return false;
  return true;
}

/** The end of a JSON string value starting at `start`, or -1 if it has escapes (the JSON.parse path then decides). */
function stringEnd(frame: Buffer, start: number): number {
  const end = frame.indexOf(QUOTE, start);
  if (end < 0) return -1;
  // Base64 never needs escaping; an escape (e.g. "\/") means an unusual encoder: take the slow path.
  const escape = frame.indexOf(BACKSLASH, start);
  return escape >= 0 && escape < end ? -1 : end;
}

/** A Twilio `media` frame with `event` first (as Twilio sends it): fills `span` with the payload. */
export function scanTwilioMedia(frame: Buffer, span: FrameSpan): boolean {
  if (!startsWith(frame, TWILIO_MEDIA_PREFIX)) return false;
  const key = frame.indexOf(TWILIO_PAYLOAD_KEY, TWILIO_MEDIA_PREFIX.length);
  if (key < 0) return false;
  const start = key + TWILIO_PAYLOAD_KEY.length;
  const end = stringEnd(frame, start);
  if (end < 0) return false;
  span.start = start;
  span.end = end;
  return true;
}

function readInt(frame: Buffer, at: number): number {
  let i = at;
  while (frame[i] === 0x20) i++;
  let value = 0;
  const first = i;
  for (; i < frame.length; i++) {
    const c = frame[i];
    if (c < ZERO || c > NINE) break;
    value = value * 10 + (c - ZERO);
  }
  return i === first || i - first > 15 ? -1 : value;
}

/**
 * An ElevenLabs `audio` event: fills `span` with the audio_base_64 payload and the event_id.
 * An unescaped `"audio_base_64":"` can only be a key (inside a JSON string every quote is escaped),
 * and the `"type":"audio"` check keeps any other event carrying such a key on the slow path.
 */
export function scanAgentAudio(frame: Buffer, span: FrameSpan): boolean {
  const key = frame.indexOf(AGENT_AUDIO_KEY);
  if (key < 0) return false;
  const start = key + AGENT_AUDIO_KEY.length;
  const end = stringEnd(frame, start);
  if (end < 0) return false;
  if (frame.indexOf(AGENT_AUDIO_TYPE) < 0) return false;
  // The fields may come in any order: look after the payload first (the usual place), then before.
  let id = frame.indexOf(EVENT_ID_KEY, end);
  if (id < 0) {
    id = frame.indexOf(EVENT_ID_KEY);
    if (id < 0 || id > key) return false;
  }
  const eventId = readInt(frame, id + EVENT_ID_KEY.length);
  if (eventId < 0) return false;
  span.start = start;
  span.end = end;
  span.eventId = eventId;
  return true;
}

/** Decoded byte count of a base64 span, without decoding it. */
export function base64SpanBytes(frame: Buffer, start: number, end: number): number {
  const len = end - start;
  if (len <= 0) return 0;
  let padding = 0;
  if (frame[end - 1] === 0x3d) padding = frame[end - 2] === 0x3d ? 2 : 1;
  return ((len * 3) >> 2) - padding;
}
