import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';

// Only characters people really type in a number; letters ("CALL NOW") are refused outright
// rather than being read as a vanity number.
const PHONE_CHARACTERS = /^\+?[\d\s().\-\u00a0]+$/;

// Validating against the full metadata costs ~100 µs, and a webhook normalises the same few
// numbers several times (DTO validation, routing, the caller's lead): results are remembered. The
// memo is bounded by starting over when full, which is plenty for a working set of numbers.
const MEMO_LIMIT = 10_000;
const MEMO_KEY_MAX = 40;
const memo = new Map<string, string | null>();

/**
 * Normalises a phone number to E.164 ("+14155550123"), or returns undefined when it is not a
 * valid number. International format is required unless a default country is given.
 */
export function toE164(input: string, defaultCountry?: CountryCode): string | undefined {
  const trimmed = input?.trim();
  if (!trimmed || !PHONE_CHARACTERS.test(trimmed)) return undefined;
  // Only input of a phone number's length is remembered: the memo must not hold what a caller sends.
  const key = trimmed.length <= MEMO_KEY_MAX ? (defaultCountry ? `${defaultCountry}|${trimmed}` : trimmed) : undefined;
  let e164 = key === undefined ? undefined : memo.get(key);
  if (e164 === undefined) {
    const parsed = parsePhoneNumberFromString(trimmed, defaultCountry);
    e164 = parsed?.isValid() ? parsed.number : null;
    if (key !== undefined) {
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(key, e164);
    }
  }
  return e164 ?? undefined;
}

/** Twilio addresses: `whatsapp:+1...`, `client:alice`, `sip:...`. Returns the channel and the E.164 part. */
export function parseTwilioAddress(address: string): { channel: 'phone' | 'whatsapp' | 'other'; e164?: string } {
  if (address?.startsWith('whatsapp:')) return { channel: 'whatsapp', e164: toE164(address.slice('whatsapp:'.length)) };
  if (!address || /^[a-z]+:/i.test(address)) return { channel: 'other' };
  return { channel: 'phone', e164: toE164(address) };
}
