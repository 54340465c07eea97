import { describe, expect, it } from '@jest/globals';
import { classifyKeyword, countSegments, isRetryable, retryDelayMs, splitChannelAddress, statusRank } from './sms-rules.js';

describe('sms rules', () => {
  it.each([
    ['STOP', 'opt_out'],
    [' stop ', 'opt_out'],
    ['Unsubscribe', 'opt_out'],
    ['cancel', 'opt_out'],
    ['END', 'opt_out'],
    ['quit!', 'opt_out'],
    ['START', 'opt_in'],
    ['unstop', 'opt_in'],
    ['help', 'help'],
    ['please stop calling me', null],
    ['yes', null],
  ])('should classify %j as %s', (body, expected) => {
    expect(classifyKeyword(body)).toBe(expected);
  });

  it.each([
    ['', 1],
    ['a'.repeat(160), 1],
    ['a'.repeat(161), 2],
    ['a'.repeat(306), 2],
    ['a'.repeat(307), 3],
    ['€'.repeat(80), 1],
    ['€'.repeat(81), 2],
    ['😀'.repeat(35), 1],
    ['é'.repeat(10) + 'ł', 1],
    ['ł'.repeat(71), 2],
  ])('should count segments of a %#th body', (body, expected) => {
    expect(countSegments(body)).toBe(expected);
  });

  it('should order statuses and never rank an unknown one', () => {
    expect(statusRank('queued')!).toBeLessThan(statusRank('sent')!);
    expect(statusRank('sent')!).toBeLessThan(statusRank('delivered')!);
    expect(statusRank('delivered')!).toBeLessThan(statusRank('read')!);
    expect(statusRank('bogus')).toBeUndefined();
  });

  it('should retry transient carrier errors only, with doubling delays', () => {
    expect(isRetryable(30003)).toBe(true);
    expect(isRetryable(30006)).toBe(false);
    expect(isRetryable(null)).toBe(false);
    expect([1, 2, 3].map((a) => retryDelayMs(a, 100))).toEqual([100, 200, 400]);
  });

  it('should split whatsapp addresses', () => {
    expect(splitChannelAddress('whatsapp:+14155550100')).toEqual({ channel: 'whatsapp', number: '+14155550100' });
    expect(splitChannelAddress('+14155550100')).toEqual({ channel: 'sms', number: '+14155550100' });
  });
});
