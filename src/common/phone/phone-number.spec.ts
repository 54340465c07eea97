import { describe, expect, it } from '@jest/globals';
import { parseTwilioAddress, toE164 } from './phone-number.js';

describe('toE164', () => {
  it.each([
    ['+14155550123', '+14155550123'],
    ['+1 (415) 555-0123', '+14155550123'],
    ['+44 20 7183 8750', '+442071838750'],
    ['  +4915112345678 ', '+4915112345678'],
  ])('should normalise %p to %p', (input, expected) => {
    expect(toE164(input)).toBe(expected);
  });

  it.each(['12', '+1 555 CALL NOW', '+15551234567', '', '4155550123', 'client:alice'])('should refuse %p', (input) => {
    expect(toE164(input)).toBeUndefined();
  });

  it('should accept a national number with a default country', () => {
    expect(toE164('(415) 555-0123', 'US')).toBe('+14155550123');
  });

  it('should give the same answers when asked again (remembered), valid or not, per default country', () => {
    for (let i = 0; i < 2; i++) {
      expect(toE164('+1 (415) 555-0123')).toBe('+14155550123');
      expect(toE164('+15551234567')).toBeUndefined();
      expect(toE164('020 7183 8750', 'GB')).toBe('+442071838750');
      expect(toE164('020 7183 8750')).toBeUndefined();
    }
  });
});

describe('parseTwilioAddress', () => {
  it('should tell WhatsApp, phone and other addresses apart', () => {
    expect(parseTwilioAddress('whatsapp:+14155550123')).toEqual({ channel: 'whatsapp', e164: '+14155550123' });
    expect(parseTwilioAddress('+14155550123')).toEqual({ channel: 'phone', e164: '+14155550123' });
    expect(parseTwilioAddress('client:alice')).toEqual({ channel: 'other' });
  });
});
