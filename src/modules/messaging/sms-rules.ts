// Pure SMS rules: keywords, segment counting, delivery-status ordering, retryable carrier errors.

export type SmsKeyword = 'opt_out' | 'opt_in' | 'help' | null;

const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const OPT_IN = new Set(['START', 'UNSTOP', 'YES']);

/** Carrier keywords are whole-message, case-insensitive, surrounding punctuation/space ignored. */
export function classifyKeyword(body: string): SmsKeyword {
  const word = body
    .trim()
    .replace(/[.!\s]+$/g, '')
    .toUpperCase();
  if (OPT_OUT.has(word)) return 'opt_out';
  if (OPT_IN.has(word) && word !== 'YES') return 'opt_in';
  if (word === 'HELP' || word === 'INFO') return 'help';
  return null;
}

// GSM 03.38 basic set + the extension table (which costs two septets).
const GSM_BASIC = new Set('@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà');
const GSM_EXT = new Set('^{}\\[~]|€\f');

/** SMS segments of a body: GSM-7 160/153 septets, else UCS-2 70/67 code units. */
export function countSegments(body: string): number {
  if (body.length === 0) return 1;
  let septets = 0;
  let gsm = true;
  for (const ch of body) {
    if (GSM_BASIC.has(ch)) septets += 1;
    else if (GSM_EXT.has(ch)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return septets <= 160 ? 1 : Math.ceil(septets / 153);
  const units = body.length; // UTF-16 code units, as UCS-2 counts them
  return units <= 70 ? 1 : Math.ceil(units / 67);
}

// The delivery-status order belongs to the timeline's owner, which moves a status forward only.
export { SMS_STATUS_RANK, statusRank } from '../leads/delivery-status.js';

/**
 * Carrier errors Twilio describes as temporary (queue overflow, unreachable handset, unknown
 * error, missing segment, carrier congestion): worth a later resend. Everything else (landline,
 * unknown destination, blocked, filtered, unsubscribed) is permanent.
 */
export const RETRYABLE_ERROR_CODES: ReadonlySet<number> = new Set([30001, 30003, 30008, 30009, 30017]);

export function isRetryable(errorCode: number | null | undefined): boolean {
  return errorCode != null && RETRYABLE_ERROR_CODES.has(errorCode);
}

/** Exponential backoff: base, 2×base, 4×base ... */
export function retryDelayMs(attempt: number, baseMs: number): number {
  return baseMs * 2 ** Math.max(0, attempt - 1);
}

/** `whatsapp:+1415...` → channel and bare number. */
export function splitChannelAddress(address: string): { channel: 'sms' | 'whatsapp'; number: string } {
  return address.toLowerCase().startsWith('whatsapp:')
    ? { channel: 'whatsapp', number: address.slice('whatsapp:'.length) }
    : { channel: 'sms', number: address };
}

export function withChannel(channel: 'sms' | 'whatsapp', e164: string): string {
  return channel === 'whatsapp' ? `whatsapp:${e164}` : e164;
}
