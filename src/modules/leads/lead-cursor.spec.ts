import { describe, expect, it } from '@jest/globals';
import { afterCursorCondition, decodeLeadCursor, encodeLeadCursor, likePattern } from './lead-cursor.js';

const ID = '0b8f8a52-3c55-4d4e-9a4e-1f0c2f6c1a11';

describe('lead cursors', () => {
  it.each([
    [{ sort: 'score' as const, value: 42, id: ID }],
    [{ sort: 'lastContact' as const, value: '2026-03-03T10:00:00.000Z', id: ID }],
    [{ sort: 'lastContact' as const, value: null, id: ID }],
    [{ sort: 'created' as const, value: '2026-03-03T10:00:00.000Z', id: ID }],
  ])('should round-trip %j', (cursor) => {
    expect(decodeLeadCursor(encodeLeadCursor(cursor), cursor.sort)).toEqual(cursor);
  });

  it.each([
    ['garbage', 'not-base64-json'],
    ['a cursor of another sort', encodeLeadCursor({ sort: 'score', value: 1, id: ID })],
    ['a bad id', Buffer.from(JSON.stringify(['lastContact', null, 'x'])).toString('base64url')],
    ['a bad date', Buffer.from(JSON.stringify(['lastContact', 'yesterday', ID])).toString('base64url')],
  ])('should refuse %s', (_name, text) => {
    expect(decodeLeadCursor(text, 'lastContact')).toBeUndefined();
  });

  it('should continue into the never-contacted leads after the last dated one', () => {
    expect(afterCursorCondition({ sort: 'lastContact', value: '2026-01-01T00:00:00Z', id: ID }).sql).toContain('IS NULL');
    expect(afterCursorCondition({ sort: 'lastContact', value: null, id: ID }).sql).toBe('(l.last_contact_at IS NULL AND l.id < :cursorId)');
  });

  it('should escape LIKE wildcards', () => {
    expect(likePattern('50%_a\\')).toBe('%50\\%\\_a\\\\%');
  });
});
