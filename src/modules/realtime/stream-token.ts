import { createHmac, timingSafeEqual } from 'node:crypto';

// Browsers' EventSource cannot send an Authorization header, and API keys must never sit in a URL
// (logs, history, Referer). A stream token is a short-lived HMAC over the tenant, an optional lead
// and an expiry, signed with a key derived for this purpose only, and accepted only by the SSE
// endpoints. Format: `st1.<tenantId>.<leadId or "*">.<expiresAt ms>.<mac base64url>`.

export interface StreamTokenClaims {
  tenantId: string;
  /** When set, the token opens only this lead's conversation stream. */
  leadId: string | null;
  expiresAt: number; // unix ms
}

export type StreamTokenVerdict = { ok: true; claims: StreamTokenClaims } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function mac(key: Buffer, c: StreamTokenClaims): Buffer {
  return createHmac('sha256', key)
    .update(`st1|${c.tenantId}|${c.leadId ?? '*'}|${c.expiresAt}`)
    .digest();
}

export function signStreamToken(key: Buffer, claims: StreamTokenClaims): string {
  return `st1.${claims.tenantId}.${claims.leadId ?? '*'}.${claims.expiresAt}.${mac(key, claims).toString('base64url')}`;
}

/** Constant-time check of the MAC, then the expiry. */
export function verifyStreamToken(key: Buffer, token: string, now: number): StreamTokenVerdict {
  const parts = typeof token === 'string' && token.length <= 200 ? token.split('.') : [];
  if (parts.length !== 5 || parts[0] !== 'st1') return { ok: false, reason: 'malformed' };
  const [, tenantId, lead, exp, given] = parts;
  const expiresAt = Number(exp);
  if (!UUID.test(tenantId) || (lead !== '*' && !UUID.test(lead)) || !/^[0-9]{1,15}$/.test(exp)) return { ok: false, reason: 'malformed' };
  const claims: StreamTokenClaims = { tenantId, leadId: lead === '*' ? null : lead, expiresAt };
  const expected = mac(key, claims);
  const actual = Buffer.from(given, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return { ok: false, reason: 'bad_signature' };
  if (now >= expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}
