import { describe, expect, it } from '@jest/globals';
import { formatComment, formatEventFrame, formatNotice, formatRetry, parseLastEventId } from './sse-format.js';

describe('SSE format', () => {
  describe('formatEventFrame', () => {
    it('should write id, event and one data line of JSON, ended by a blank line', () => {
      const frame = formatEventFrame({
        id: '42',
        tenantId: 't',
        type: 'call.transcript',
        leadId: 'l',
        data: { text: 'line one\nline two' },
        occurredAt: '2026-01-01T00:00:00.000Z',
      });
      const lines = frame.split('\n');
      expect(lines.slice(0, 2)).toEqual(['id: 42', 'event: call.transcript']);
      expect(lines[2].startsWith('data: ')).toBe(true);
      expect(JSON.parse(lines[2].slice(6))).toEqual({
        id: '42',
        type: 'call.transcript',
        tenantId: 't',
        leadId: 'l',
        callId: null,
        occurredAt: '2026-01-01T00:00:00.000Z',
        data: { text: 'line one\nline two' },
      });
      expect(lines.slice(3)).toEqual(['', '']);
    });

    it('should strip line breaks from the id and type so a value cannot inject fields', () => {
      const frame = formatEventFrame({ id: '1\nid: 999', tenantId: 't', type: 'alert\ndata: x' as 'alert', data: {} });
      expect(frame.split('\n').filter((l) => l.startsWith('id:'))).toEqual(['id: 1id: 999']);
      expect(frame.split('\n').filter((l) => l.startsWith('data:'))).toHaveLength(1);
    });
  });

  it('should write notices without an id, comments and retry lines', () => {
    expect(formatNotice('replay.truncated', { reason: 'limit' })).toBe('event: replay.truncated\ndata: {"reason":"limit"}\n\n');
    expect(formatComment('ping')).toBe(': ping\n\n');
    expect(formatRetry(2500.4)).toBe('retry: 2500\n\n');
  });

  describe('parseLastEventId', () => {
    it.each([
      ['nothing', undefined, undefined, { ok: true }],
      ['an empty header', '', undefined, { ok: true }],
      ['a header', '17', undefined, { ok: true, id: '17' }],
      ['a query value', undefined, '17', { ok: true, id: '17' }],
      ['both (the header wins)', '20', '17', { ok: true, id: '20' }],
      ['an empty header and a query value', ' ', '17', { ok: true, id: '17' }],
      ['zero (replay everything kept)', '0', undefined, { ok: true, id: '0' }],
      ['a repeated header', ['5', '6'], undefined, { ok: true, id: '5' }],
      ['a negative id', '-1', undefined, { ok: false }],
      ['a leading zero', '017', undefined, { ok: false }],
      ['text', 'abc', undefined, { ok: false }],
      ['an id beyond 2^53', '12345678901234567', undefined, { ok: false }],
    ])('should handle %s', (_case, header, query, expected) => {
      expect(parseLastEventId(header, query)).toEqual(expected);
    });
  });
});
