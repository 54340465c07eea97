import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { signSessionToken, verifySessionToken } from './session-token.js';

describe('session tokens', () => {
  const key = randomBytes(32);
  const claims = { callSid: 'CA' + 'a'.repeat(32), tenantId: 't-1', callId: 'c-1', expiresAt: 1_000_000 };
  const token = signSessionToken(key, claims);

  it('should accept the right call before expiry', () => {
    expect(verifySessionToken(key, token, claims.callSid, 999_999)).toEqual({ ok: true, claims });
  });

  it.each([
    ['expired', token, claims.callSid, 1_000_001, 'expired'],
    ['another call', token, 'CA' + 'b'.repeat(32), 0, 'bad_signature'],
    ['a changed tenant', token.replace('t-1', 't-2'), claims.callSid, 0, 'bad_signature'],
    ['a changed expiry', token.replace('1000000', '9000000'), claims.callSid, 0, 'bad_signature'],
    ['garbage', 'nope', claims.callSid, 0, 'malformed'],
  ])('should refuse %s', (_case, candidate, callSid, now, reason) => {
    expect(verifySessionToken(key, candidate, callSid, now)).toEqual({ ok: false, reason });
  });

  it('should refuse a token signed with another key', () => {
    expect(verifySessionToken(randomBytes(32), token, claims.callSid, 0)).toEqual({ ok: false, reason: 'bad_signature' });
  });
});
