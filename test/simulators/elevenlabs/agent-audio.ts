import type { AudioFormat } from './fake-elevenlabs-types.js';

// Synthetic agent audio. Tones are chosen so a 20 ms chunk holds whole periods, which makes every
// chunk identical and lets tests tell fresh audio from stale audio by payload.

export const AGENT_TONE_HZ = 400;
export const STALE_TONE_HZ = 1000;

const SAMPLE_RATE: Record<AudioFormat, number> = {
  ulaw_8000: 8000,
  pcm_8000: 8000,
  pcm_16000: 16000,
  pcm_22050: 22050,
  pcm_24000: 24000,
  pcm_44100: 44100,
  pcm_48000: 48000,
};

/** Bytes of raw audio per millisecond (μ-law: 1 byte/sample, PCM: 16-bit little-endian). */
export function bytesPerMs(format: AudioFormat): number {
  const rate = SAMPLE_RATE[format];
  return format === 'ulaw_8000' ? rate / 1000 : (rate / 1000) * 2;
}

// G.711 μ-law encoder (ITU-T G.711, the classic Sun reference algorithm).
export function encodeUlawSample(linear: number): number {
  const BIAS = 0x84;
  const CLIP = 32635;
  let sample = Math.max(-32768, Math.min(32767, Math.round(linear)));
  const sign = sample < 0 ? 0x80 : 0;
  if (sign) sample = -sample;
  if (sample > CLIP) sample = CLIP;
  sample += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (sample & mask) === 0 && exponent > 0; exponent--, mask >>= 1);
  const mantissa = (sample >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** Raw audio bytes of a sine tone in the given format. */
export function generateTone(format: AudioFormat, durationMs: number, frequencyHz = AGENT_TONE_HZ): Buffer {
  const rate = SAMPLE_RATE[format];
  const samples = Math.round((rate * durationMs) / 1000);
  const amplitude = 8000;
  if (format === 'ulaw_8000') {
    const out = Buffer.alloc(samples);
    for (let i = 0; i < samples; i++) {
      out[i] = encodeUlawSample(amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / rate));
    }
    return out;
  }
  const out = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    out.writeInt16LE(Math.round(amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / rate)), i * 2);
  }
  return out;
}

const chunkCache = new Map<string, string>();

/** Base64 of one generated chunk (cached: scripted agents send many identical chunks). */
export function toneChunkBase64(format: AudioFormat, chunkMs: number, frequencyHz = AGENT_TONE_HZ): string {
  const key = `${format}:${chunkMs}:${frequencyHz}`;
  let chunk = chunkCache.get(key);
  if (chunk === undefined) {
    chunk = generateTone(format, chunkMs, frequencyHz).toString('base64');
    chunkCache.set(key, chunk);
  }
  return chunk;
}

/** Decoded length of a base64 string without decoding it (hot path of the echo agent). */
export function base64ByteLength(b64: string): number {
  const len = b64.length;
  if (len === 0) return 0;
  let padding = 0;
  if (b64.charCodeAt(len - 1) === 61 /* = */) padding = b64.charCodeAt(len - 2) === 61 ? 2 : 1;
  return Math.floor((len * 3) / 4) - padding;
}

/** Bytes that look like an MP3 file (ID3v2 header + MPEG-1 Layer III frame headers), for post_call_audio. */
export function fakeMp3Bytes(frames = 8): Buffer {
  const id3 = Buffer.from([0x49, 0x44, 0x33, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
  // 0xFFFB9064: MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, no padding → 417-byte frames.
  const frame = Buffer.alloc(417, 0x55);
  frame.writeUInt32BE(0xfffb9064, 0);
  return Buffer.concat([id3, ...Array.from({ length: frames }, () => frame)]);
}
