import { describe, expect, it } from '@jest/globals';
import { minutesUsed, remainingAllowance, resolveDayRange, utcDay, utcMonthStart } from './usage-period.js';

describe('usage periods', () => {
  const now = new Date('2026-03-15T23:30:00-05:00'); // already 16 March in UTC

  it('should use UTC for days and months', () => {
    expect(utcDay(now)).toBe('2026-03-16');
    expect(utcMonthStart(new Date('2026-02-28T23:59:59Z'))).toBe('2026-02-01');
    expect(utcMonthStart(new Date('2026-03-01T00:00:00Z'))).toBe('2026-03-01');
  });

  it.each([
    [undefined, undefined, { ok: true, from: '2026-03-01', to: '2026-03-16' }],
    ['2026-01-01', '2026-01-31', { ok: true, from: '2026-01-01', to: '2026-01-31' }],
    ['2026-01-31', '2026-01-01', { ok: false, message: 'from must not be after to' }],
    ['2026-02-30', undefined, { ok: false, message: 'from must be a date as YYYY-MM-DD' }],
    [undefined, '16/03/2026', { ok: false, message: 'to must be a date as YYYY-MM-DD' }],
    ['2024-01-01', '2026-01-01', { ok: false, message: 'The range may cover at most 366 days' }],
    ['2024-01-01', '2024-12-31', { ok: true, from: '2024-01-01', to: '2024-12-31' }], // leap year: 366 days
  ])('should resolve from=%s to=%s', (from, to, expected) => {
    expect(resolveDayRange(from, to, now)).toEqual(expected);
  });

  it.each([
    [undefined, 10, null],
    [100, 30, 70],
    [100, 130, 0],
    [0, 0, 0],
  ])('should leave %s - %s = %s', (quota, used, expected) => {
    expect(remainingAllowance(quota, used)).toBe(expected);
  });

  it.each([
    [0, 0],
    [1, 1],
    [60, 1],
    [61, 2],
  ])('should count %s s as %s started minutes', (seconds, minutes) => {
    expect(minutesUsed(seconds)).toBe(minutes);
  });
});
