import { describe, expect, it } from '@jest/globals';
import { randomBytes, webcrypto } from 'node:crypto';
import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import { signElevenLabsPayload } from '../../../test/simulators/elevenlabs/post-call-webhook.js';
import { computeSignature, parseSignatureHeader, verifyElevenLabsSignature } from './elevenlabs-signature.js';

const SECRET = 'wsec_0123456789abcdef';
const NOW = 1_760_000_000;
const sdk = new ElevenLabsClient({ apiKey: 'x' });

// The official algorithm exactly as @elevenlabs/elevenlabs-js implements it (wrapper/webhooks.ts):
// WebCrypto HMAC-SHA256 over the UTF-8 string `${t}.${rawBody}`, hex, prefixed "v0=".
async function officialSign(rawBody: string, secret: string, t: number): Promise<string> {
  const enc = new TextEncoder();
  const key = await webcrypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const sig = await webcrypto.subtle.sign('HMAC', key, enc.encode(`${t}.${rawBody}`));
  return `t=${t},v0=${Buffer.from(sig).toString('hex')}`;
}

const verify = (rawBody: string, header: string | undefined, secrets = [SECRET], nowSecs = NOW) =>
  verifyElevenLabsSignature({ rawBody: Buffer.from(rawBody, 'utf8'), header, secrets, nowSecs });

const bodies = [
  JSON.stringify({ type: 'post_call_transcription', event_timestamp: NOW, data: { conversation_id: 'conv_1' } }),
  '{"type":"post_call_transcription","data":{"transcript":[{"role":"user","message":"¿Cuánto cuesta? Ça coûte combien? 日本語 🙂"}]}}',
  '{}',
  ` {"spaced" :  true }\n`,
];

describe('verifyElevenLabsSignature', () => {
  describe('against the official SDK', () => {
    it.each(bodies)('should accept what the official algorithm signs: %s', async (rawBody) => {
      expect(verify(rawBody, await officialSign(rawBody, SECRET, NOW))).toEqual({ ok: true, timestamp: NOW });
    });

    it.each(bodies)('should produce the digest the SDK accepts and the test signer produces: %s', async (rawBody) => {
      const t = Math.floor(Date.now() / 1000);
      const ours = `t=${t},v0=${computeSignature(Buffer.from(rawBody), t, SECRET)}`;
      expect(ours).toBe(signElevenLabsPayload(rawBody, SECRET, t));
      await expect(sdk.webhooks.constructEvent(rawBody, ours, SECRET)).resolves.toEqual(JSON.parse(rawBody));
    });

    it('should agree with the SDK on random bodies, and on their tampered copies', async () => {
      const t = Math.floor(Date.now() / 1000);
      for (let i = 0; i < 25; i++) {
        const rawBody = JSON.stringify({ n: i, text: randomBytes(40).toString('base64'), utf8: 'é€😀'.repeat(i % 3) });
        const header = signElevenLabsPayload(rawBody, SECRET, t);
        expect(verify(rawBody, header, [SECRET], t).ok).toBe(true);
        await expect(sdk.webhooks.constructEvent(rawBody, header, SECRET)).resolves.toBeDefined();
        const tampered = rawBody.replace(`"n":${i}`, `"n":${i + 1}`);
        expect(verify(tampered, header, [SECRET], t)).toEqual({ ok: false, reason: 'mismatch' });
        await expect(sdk.webhooks.constructEvent(tampered, header, SECRET)).rejects.toThrow(/does not match/);
      }
    });
  });

  it.each([
    ['no header', undefined, 'missing'],
    ['an empty header', '  ', 'missing'],
    ['no v0', `t=${NOW}`, 'malformed'],
    ['no t', `v0=${'a'.repeat(64)}`, 'malformed'],
    ['a v0 that is not hex', `t=${NOW},v0=${'z'.repeat(64)}`, 'malformed'],
    ['a short v0', `t=${NOW},v0=abcd`, 'malformed'],
    ['a non-numeric t', `t=yesterday,v0=${'a'.repeat(64)}`, 'malformed'],
    ['another scheme only', `t=${NOW},v1=${'a'.repeat(64)}`, 'malformed'],
  ])('should refuse %s', (_name, header, reason) => {
    expect(verify('{}', header)).toEqual({ ok: false, reason });
  });

  it('should accept the header in either order and with spaces', () => {
    const rawBody = bodies[0];
    expect(verify(rawBody, signElevenLabsPayload(rawBody, SECRET, NOW, 'v0-first')).ok).toBe(true);
    expect(verify(rawBody, signElevenLabsPayload(rawBody, SECRET, NOW).replace(',', ' , ')).ok).toBe(true);
  });

  it.each([
    ['30 minutes old', NOW - 30 * 60, true],
    ['just over 30 minutes old', NOW - 30 * 60 - 1, false],
    ['5 minutes ahead', NOW + 5 * 60, true],
    ['just over 5 minutes ahead', NOW + 5 * 60 + 1, false],
  ])('should judge a timestamp %s', (_name, t, ok) => {
    const rawBody = bodies[0];
    const verdict = verify(rawBody, signElevenLabsPayload(rawBody, SECRET, t));
    expect(verdict.ok).toBe(ok);
    if (!ok) expect(verdict).toEqual({ ok: false, reason: t < NOW ? 'stale' : 'future' });
  });

  it('should refuse a valid signature whose timestamp was changed', () => {
    const rawBody = bodies[0];
    const header = signElevenLabsPayload(rawBody, SECRET, NOW).replace(`t=${NOW}`, `t=${NOW - 1}`);
    expect(verify(rawBody, header)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('should accept any configured secret (rotation) and refuse a retired one', () => {
    const rawBody = bodies[0];
    const signedWithOld = signElevenLabsPayload(rawBody, 'wsec_old', NOW);
    const signedWithNew = signElevenLabsPayload(rawBody, 'wsec_new', NOW);
    expect(verify(rawBody, signedWithOld, ['wsec_new', 'wsec_old']).ok).toBe(true);
    expect(verify(rawBody, signedWithNew, ['wsec_new', 'wsec_old']).ok).toBe(true);
    expect(verify(rawBody, signedWithOld, ['wsec_new'])).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('should accept a header listing several v0 values when one matches', () => {
    const rawBody = bodies[0];
    const good = computeSignature(rawBody, NOW, SECRET);
    expect(verify(rawBody, `t=${NOW},v0=${'0'.repeat(64)},v0=${good}`).ok).toBe(true);
  });

  it('should say so when no secret is configured', () => {
    expect(verify(bodies[0], signElevenLabsPayload(bodies[0], SECRET, NOW), [])).toEqual({ ok: false, reason: 'not_configured' });
  });

  it('should verify the raw bytes, not a re-serialisation', () => {
    const rawBody = '{"b":1,  "a":2}';
    const header = signElevenLabsPayload(rawBody, SECRET, NOW);
    expect(verify(JSON.stringify(JSON.parse(rawBody)), header)).toEqual({ ok: false, reason: 'mismatch' });
  });
});

describe('parseSignatureHeader', () => {
  it('should keep the last t and every v0', () => {
    expect(parseSignatureHeader(`t=1,t=2,v0=${'A'.repeat(64)}`)).toEqual({ timestamp: 2, signatures: ['a'.repeat(64)] });
  });
});
