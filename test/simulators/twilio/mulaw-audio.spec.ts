import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { encodeWav, generateMulawTone, linearToMulaw, loadWavAsMulaw, mulawToLinear, mulawToPcm16, pcm16ToMulaw, silence } from './mulaw-audio.js';

describe('mulaw-audio', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'twilio-sim-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should match G.711 reference codes', () => {
    expect(linearToMulaw(0)).toBe(0xff);
    expect(linearToMulaw(-1)).toBe(0x7f);
    expect(linearToMulaw(32767)).toBe(0x80);
    expect(linearToMulaw(-32768)).toBe(0x00);
    expect(mulawToLinear(0xff)).toBe(0);
    expect(mulawToLinear(0x80)).toBe(32124);
    expect(mulawToLinear(0x00)).toBe(-32124);
  });

  it('should round-trip every code and keep quantisation error small', () => {
    for (let code = 0; code < 256; code++) {
      if (code === 0x7f) continue; // -0 encodes as +0
      expect(linearToMulaw(mulawToLinear(code))).toBe(code);
    }
    const pcm = Int16Array.from({ length: 200 }, (_, i) => Math.round(20000 * Math.sin(i / 5)));
    const back = mulawToPcm16(pcm16ToMulaw(pcm));
    pcm.forEach((s, i) => expect(Math.abs(back[i] - s)).toBeLessThanOrEqual(Math.abs(s) * 0.07 + 8));
  });

  it('should build silence and tones of the right length', () => {
    expect(silence(20)).toEqual(Buffer.alloc(160, 0xff));
    const tone = generateMulawTone(100, 440);
    expect(tone.length).toBe(800);
    expect(Math.max(...mulawToPcm16(tone))).toBeGreaterThan(8000);
  });

  it('should load μ-law and 8 kHz PCM16 WAVs unchanged', async () => {
    const tone = generateMulawTone(60, 1000);
    await writeFile(join(dir, 'mulaw.wav'), encodeWav(tone, { encoding: 'mulaw' }));
    expect(await loadWavAsMulaw(join(dir, 'mulaw.wav'))).toEqual(tone);
    await writeFile(join(dir, 'pcm8k.wav'), encodeWav(mulawToPcm16(tone), { encoding: 'pcm16' }));
    expect(await loadWavAsMulaw(join(dir, 'pcm8k.wav'))).toEqual(tone);
  });

  it('should decimate 16 kHz PCM16 to 8 kHz', async () => {
    const pcm16k = Int16Array.from({ length: 1600 }, (_, i) => Math.round(10000 * Math.sin((2 * Math.PI * 300 * i) / 16000)));
    await writeFile(join(dir, 'pcm16k.wav'), encodeWav(pcm16k, { encoding: 'pcm16', sampleRate: 16000 }));
    const mulaw = await loadWavAsMulaw(join(dir, 'pcm16k.wav'));
    expect(mulaw.length).toBe(800);
    const expected = Math.round((pcm16k[200] + pcm16k[201]) / 2);
    expect(Math.abs(mulawToLinear(mulaw[100]) - expected)).toBeLessThan(Math.abs(expected) * 0.07 + 16);
  });

  it('should reject non-WAV input and unsupported rates', async () => {
    await writeFile(join(dir, 'junk.wav'), Buffer.from('not a wav'));
    await expect(loadWavAsMulaw(join(dir, 'junk.wav'))).rejects.toThrow(/RIFF/);
    await writeFile(join(dir, 'pcm11k.wav'), encodeWav(new Int16Array(100), { encoding: 'pcm16', sampleRate: 11025 }));
    await expect(loadWavAsMulaw(join(dir, 'pcm11k.wav'))).rejects.toThrow(/sample rate/);
  });
});
