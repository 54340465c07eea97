// G.711 μ-law helpers for the simulated caller. Twilio Media Streams carry raw μ-law, 8 kHz,
// mono, no headers (docs/protocols.md §2.2/§2.3), so 1 byte = 1 sample = 0.125 ms.
import { readFile } from 'node:fs/promises';

export const MULAW_SAMPLE_RATE = 8000;
export const MULAW_BYTES_PER_MS = MULAW_SAMPLE_RATE / 1000;
/** μ-law code for (positive) zero. */
export const MULAW_SILENCE_BYTE = 0xff;

const BIAS = 0x84;
const CLIP = 32635;

export function linearToMulaw(sample: number): number {
  let s = sample | 0;
  const sign = s < 0 ? 0x80 : 0;
  if (sign) s = -s;
  if (s > CLIP) s = CLIP;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

const DECODE_TABLE = (() => {
  const table = new Int16Array(256);
  for (let i = 0; i < 256; i++) {
    const u = ~i & 0xff;
    const exponent = (u >> 4) & 0x07;
    const magnitude = ((((u & 0x0f) << 3) + BIAS) << exponent) - BIAS;
    table[i] = u & 0x80 ? -magnitude : magnitude;
  }
  return table;
})();

export function mulawToLinear(byte: number): number {
  return DECODE_TABLE[byte & 0xff];
}

export function pcm16ToMulaw(samples: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = linearToMulaw(samples[i]);
  return out;
}

export function mulawToPcm16(mulaw: Uint8Array): Int16Array {
  const out = new Int16Array(mulaw.length);
  for (let i = 0; i < mulaw.length; i++) out[i] = DECODE_TABLE[mulaw[i]];
  return out;
}

export function mulawDurationMs(byteLength: number): number {
  return byteLength / MULAW_BYTES_PER_MS;
}

export function silence(ms: number): Buffer {
  return Buffer.alloc(Math.round(ms * MULAW_BYTES_PER_MS), MULAW_SILENCE_BYTE);
}

/** A sine tone as μ-law; `amplitude` is a fraction of full scale. */
export function generateMulawTone(ms: number, freqHz: number, amplitude = 0.3): Buffer {
  const n = Math.round(ms * MULAW_BYTES_PER_MS);
  const out = Buffer.allocUnsafe(n);
  const peak = Math.max(0, Math.min(1, amplitude)) * 32767;
  for (let i = 0; i < n; i++) {
    out[i] = linearToMulaw(Math.round(peak * Math.sin((2 * Math.PI * freqHz * i) / MULAW_SAMPLE_RATE)));
  }
  return out;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_MULAW = 7;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

interface WavInfo {
  format: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  data: Buffer;
}

export function parseWav(file: Buffer): WavInfo {
  if (file.length < 12 || file.toString('ascii', 0, 4) !== 'RIFF' || file.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('Not a RIFF/WAVE file');
  }
  let fmt: Omit<WavInfo, 'data'> | undefined;
  let data: Buffer | undefined;
  let offset = 12;
  while (offset + 8 <= file.length) {
    const id = file.toString('ascii', offset, offset + 4);
    const size = file.readUInt32LE(offset + 4);
    const body = file.subarray(offset + 8, Math.min(file.length, offset + 8 + size));
    if (id === 'fmt ') {
      let format = body.readUInt16LE(0);
      if (format === WAVE_FORMAT_EXTENSIBLE && body.length >= 26) format = body.readUInt16LE(24);
      fmt = { format, channels: body.readUInt16LE(2), sampleRate: body.readUInt32LE(4), bitsPerSample: body.readUInt16LE(14) };
    } else if (id === 'data') {
      data = body;
    }
    offset += 8 + size + (size % 2); // chunks are word-aligned
  }
  if (!fmt || !data) throw new Error('WAV file lacks a fmt or data chunk');
  return { ...fmt, data };
}

/** Mixes channels down and decimates integer multiples of 8 kHz with a boxcar average. */
function toMono8k(interleaved: Int16Array, channels: number, sampleRate: number): Int16Array {
  if (sampleRate % MULAW_SAMPLE_RATE !== 0) {
    throw new Error(`Unsupported sample rate ${sampleRate}: need a multiple of ${MULAW_SAMPLE_RATE} Hz`);
  }
  const factor = sampleRate / MULAW_SAMPLE_RATE;
  const frames = Math.floor(interleaved.length / channels);
  const out = new Int16Array(Math.floor(frames / factor));
  const perOut = factor * channels;
  for (let o = 0; o < out.length; o++) {
    let sum = 0;
    const base = o * perOut;
    for (let k = 0; k < perOut; k++) sum += interleaved[base + k];
    out[o] = Math.round(sum / perOut);
  }
  return out;
}

/** Reads a WAV (PCM16 or μ-law, any channel count, 8 kHz or a multiple) as 8 kHz mono μ-law. */
export async function loadWavAsMulaw(path: string): Promise<Buffer> {
  return wavToMulaw(await readFile(path));
}

export function wavToMulaw(file: Buffer): Buffer {
  const wav = parseWav(file);
  if (wav.format === WAVE_FORMAT_MULAW && wav.bitsPerSample === 8) {
    if (wav.channels === 1 && wav.sampleRate === MULAW_SAMPLE_RATE) return Buffer.from(wav.data);
    return pcm16ToMulaw(toMono8k(mulawToPcm16(wav.data), wav.channels, wav.sampleRate));
  }
  if (wav.format === WAVE_FORMAT_PCM && wav.bitsPerSample === 16) {
    const samples = new Int16Array(Math.floor(wav.data.length / 2));
    for (let i = 0; i < samples.length; i++) samples[i] = wav.data.readInt16LE(i * 2);
    return pcm16ToMulaw(toMono8k(samples, wav.channels, wav.sampleRate));
  }
  throw new Error(`Unsupported WAV encoding: format ${wav.format}, ${wav.bitsPerSample} bits`);
}

/** Builds a WAV file, e.g. to save what the simulated caller heard (`encoding: 'mulaw'`). */
export function encodeWav(audio: Buffer | Int16Array, opts: { encoding: 'mulaw' | 'pcm16'; sampleRate?: number; channels?: number }): Buffer {
  const sampleRate = opts.sampleRate ?? MULAW_SAMPLE_RATE;
  const channels = opts.channels ?? 1;
  const bytesPerSample = opts.encoding === 'mulaw' ? 1 : 2;
  let data: Buffer;
  if (opts.encoding === 'mulaw') {
    data = Buffer.from(audio instanceof Int16Array ? pcm16ToMulaw(audio) : audio);
  } else {
    const samples = audio instanceof Int16Array ? audio : mulawToPcm16(audio);
    data = Buffer.allocUnsafe(samples.length * 2);
    for (let i = 0; i < samples.length; i++) data.writeInt16LE(samples[i], i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length + (data.length % 2), 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(opts.encoding === 'mulaw' ? WAVE_FORMAT_MULAW : WAVE_FORMAT_PCM, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * channels * bytesPerSample, 28);
  header.writeUInt16LE(channels * bytesPerSample, 32);
  header.writeUInt16LE(bytesPerSample * 8, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data, Buffer.alloc(data.length % 2)]);
}
