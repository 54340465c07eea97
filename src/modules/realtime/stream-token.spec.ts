import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { signStreamToken, verifyStreamToken } from './stream-token.js';

describe('stream tokens', () => {
  const key = randomBytes(32);
  const tenantId = '6f1c2a36-7d7e-4a43-9a43-2f3b8d1e0c11';
  const leadId = '0b9d7c4e-5a6f-4e21-8c3d-9e8f7a6b5c4d';
  const tenantWide = { tenantId, leadId: null, expiresAt: 1_000_000 };
  const leadBound = { tenantId, leadId, expiresAt: 1_000_000 };

  it.each([
    ['a tenant-wide token', tenantWide],
    ['a lead-bound token', leadBound],
  ])('should accept %s before expiry', (_case, claims) => {
    expect(verifyStreamToken(key, signStreamToken(key, claims), 999_999)).toEqual({ ok: true, claims });
  });

  const token = signStreamToken(key, leadBound);
  const otherTenant = '11111111-2222-4333-8444-555555555555';
  it.each([
    ['at its expiry', token, 1_000_000, 'expired'],
    ['after its expiry', token, 2_000_000, 'expired'],
    ['a changed tenant', token.replace(tenantId, otherTenant), 0, 'bad_signature'],
    ['a changed lead', token.replace(leadId, otherTenant), 0, 'bad_signature'],
    ['a lead widened to the tenant', token.replace(leadId, '*'), 0, 'bad_signature'],
    ['a changed expiry', token.replace('1000000', '9000000'), 0, 'bad_signature'],
    ['a truncated MAC', token.slice(0, -4), 0, 'bad_signature'],
    ['another version', token.replace(/^st1/, 'st2'), 0, 'malformed'],
    ['a non-uuid tenant', token.replace(tenantId, 'x'), 0, 'malformed'],
    ['garbage', 'nope', 0, 'malformed'],
    ['an API key', 'sb_live_abcdefghijklmnop', 0, 'malformed'],
    ['an oversized value', 'st1.' + 'a'.repeat(500), 0, 'malformed'],
  ])('should refuse %s', (_case, candidate, now, reason) => {
    expect(verifyStreamToken(key, candidate, now)).toEqual({ ok: false, reason });
  });

  it('should refuse a token signed with another key', () => {
    expect(verifyStreamToken(randomBytes(32), token, 0)).toEqual({ ok: false, reason: 'bad_signature' });
  });
});
