import { createHmac, timingSafeEqual } from 'node:crypto';

// The media stream's proof that it belongs to a call our voice webhook accepted: an HMAC over the
// call SID, tenant, call id and expiry, sent as a <Parameter> (Twilio strips query strings from
// <Stream url>). The bridge also checks it is used once (calls.media_connected_at).

export interface SessionClaims {
  callSid: string;
  tenantId: string;
  callId: string;
  expiresAt: number; // unix ms
}

export type SessionTokenVerdict = { ok: true; claims: SessionClaims } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' | 'wrong_call' };

function payloadOf(c: SessionClaims): string {
  return `v1|${c.callSid}|${c.tenantId}|${c.callId}|${c.expiresAt}`;
}

export function signSessionToken(key: Buffer, claims: SessionClaims): string {
  const mac = createHmac('sha256', key).update(payloadOf(claims)).digest('base64url');
  return `v1.${claims.tenantId}.${claims.callId}.${claims.expiresAt}.${mac}`;
}

/** Verifies a token for the call SID Twilio reports in `start.callSid`; constant-time. */
export function verifySessionToken(key: Buffer, token: string, callSid: string, now: number): SessionTokenVerdict {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 5 || parts[0] !== 'v1') return { ok: false, reason: 'malformed' };
  const [, tenantId, callId, exp, mac] = parts;
  const expiresAt = Number(exp);
  if (!Number.isSafeInteger(expiresAt)) return { ok: false, reason: 'malformed' };
  const claims: SessionClaims = { callSid, tenantId, callId, expiresAt };
  const expected = createHmac('sha256', key).update(payloadOf(claims)).digest();
  const given = Buffer.from(mac, 'base64url');
  // A token minted for another call SID fails here too: the SID is inside the MAC.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
  if (now > expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}
