import { createHmac, timingSafeEqual } from 'node:crypto';

// ElevenLabs webhook HMAC (protocol notes §2.2; reference implementations: js-sdk
// src/wrapper/webhooks.ts `constructEvent`, py-sdk webhooks_custom.py `construct_event`):
//   ElevenLabs-Signature: t=<unix seconds>,v0=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
// Differences from the SDK, on purpose: the digest is compared in constant time, every configured
// secret is tried (rotation without downtime, as Stripe and Svix do), and a timestamp too far in
// the future is refused too (the SDK only bounds the past).

export const SIGNATURE_HEADER = 'elevenlabs-signature';
export const PAST_TOLERANCE_SECS = 30 * 60;
export const FUTURE_TOLERANCE_SECS = 5 * 60;

export type SignatureFailure = 'missing' | 'malformed' | 'not_configured' | 'stale' | 'future' | 'mismatch';
export type SignatureVerdict = { ok: true; timestamp: number } | { ok: false; reason: SignatureFailure };

export interface ParsedSignatureHeader {
  timestamp: number;
  /** Every v0 value in the header (a sender may list several during its own rotation). */
  signatures: string[];
}

/** Parses `t=..,v0=..` in any order; undefined when there is no usable t or v0. */
export function parseSignatureHeader(header: string): ParsedSignatureHeader | undefined {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v0' && /^[0-9a-fA-F]{64}$/.test(value)) signatures.push(value.toLowerCase());
  }
  return timestamp === undefined || signatures.length === 0 ? undefined : { timestamp, signatures };
}

/** The hex digest ElevenLabs sends as v0 for this body, timestamp and secret. */
export function computeSignature(rawBody: Buffer | string, timestamp: number, secret: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

export interface VerifyOptions {
  rawBody: Buffer | string | undefined;
  header: string | string[] | undefined;
  secrets: readonly string[];
  nowSecs: number;
  pastToleranceSecs?: number;
  futureToleranceSecs?: number;
}

export function verifyElevenLabsSignature(options: VerifyOptions): SignatureVerdict {
  const header = Array.isArray(options.header) ? options.header.join(',') : options.header;
  if (!header || !header.trim()) return { ok: false, reason: 'missing' };
  const parsed = parseSignatureHeader(header);
  if (!parsed || options.rawBody === undefined) return { ok: false, reason: 'malformed' };
  if (options.secrets.length === 0) return { ok: false, reason: 'not_configured' };
  if (parsed.timestamp < options.nowSecs - (options.pastToleranceSecs ?? PAST_TOLERANCE_SECS)) return { ok: false, reason: 'stale' };
  if (parsed.timestamp > options.nowSecs + (options.futureToleranceSecs ?? FUTURE_TOLERANCE_SECS)) return { ok: false, reason: 'future' };

  let matched = false;
  // No early exit: every (secret, signature) pair costs the same, whichever one matches.
  for (const secret of options.secrets) {
    const expected = Buffer.from(computeSignature(options.rawBody, parsed.timestamp, secret), 'hex');
    for (const candidate of parsed.signatures) {
      if (timingSafeEqual(expected, Buffer.from(candidate, 'hex'))) matched = true;
    }
  }
  return matched ? { ok: true, timestamp: parsed.timestamp } : { ok: false, reason: 'mismatch' };
}
