import { describe, expect, it } from '@jest/globals';
import { boundEventData, INLINE_DATA_MAX_BYTES, MAX_EVENT_DATA_BYTES, parseNotification, toNotification } from './event-payload.js';

describe('event payloads', () => {
  describe('boundEventData', () => {
    it.each([
      ['small data', { status: 'ringing' }, true, false],
      ['missing data', undefined, true, false],
      ['data just inside the inline limit', { t: 'x'.repeat(INLINE_DATA_MAX_BYTES - 8) }, true, false],
      ['data above the inline limit', { t: 'x'.repeat(INLINE_DATA_MAX_BYTES) }, false, false],
      ['oversized data', { t: 'x'.repeat(MAX_EVENT_DATA_BYTES) }, true, true],
    ])('should classify %s', (_case, data, inline, truncated) => {
      const bounded = boundEventData(data);
      expect({ inline: bounded.inline, truncated: bounded.truncated }).toEqual({ inline, truncated });
      expect(Buffer.byteLength(bounded.json)).toBeLessThanOrEqual(MAX_EVENT_DATA_BYTES);
    });

    it('should count bytes, not characters', () => {
      expect(boundEventData({ t: 'é'.repeat(INLINE_DATA_MAX_BYTES / 2) }).inline).toBe(false);
    });
  });

  it('should keep every notification far below the 8000-byte NOTIFY limit', () => {
    const data = { t: 'x'.repeat(INLINE_DATA_MAX_BYTES - 8) };
    const n = toNotification(
      {
        id: '9007199254740991',
        tenantId: 'a'.repeat(36),
        type: 'appointment.booked',
        leadId: 'b'.repeat(36),
        callId: 'c'.repeat(36),
        data,
        occurredAt: new Date().toISOString(),
      },
      boundEventData(data).inline,
    );
    expect(Buffer.byteLength(JSON.stringify(n))).toBeLessThan(2_000);
  });

  describe('parseNotification', () => {
    const valid = { id: '12', tenantId: 't', type: 'alert', leadId: null, callId: 'c', occurredAt: '2026-01-01T00:00:00.000Z', data: { a: 1 } };

    it('should parse a notification with and without inline data', () => {
      expect(parseNotification(JSON.stringify(valid))).toEqual(valid);
      expect(parseNotification(JSON.stringify({ ...valid, data: null }))).toEqual({ ...valid, data: null });
    });

    it.each([
      ['not JSON', '{'],
      ['not an object', '"x"'],
      ['no id', JSON.stringify({ ...valid, id: undefined })],
      ['a numeric id', JSON.stringify({ ...valid, id: 12 })],
      ['a zero id', JSON.stringify({ ...valid, id: '0' })],
      ['no tenant', JSON.stringify({ ...valid, tenantId: undefined })],
      ['a type this build does not know', JSON.stringify({ ...valid, type: 'call.teleported' })],
    ])('should ignore %s', (_case, raw) => {
      expect(parseNotification(raw)).toBeUndefined();
    });
  });
});
