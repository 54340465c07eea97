// JSON shapes of the api.twilio.com 2010-04-01 resources the fake serves, field for field from
// test/fixtures/twilio-oai/twilio_api_v2010.json (api.v2010.account.call / .message /
// .incoming_phone_number). Dates are RFC 2822, numbers-as-strings where Twilio uses strings.
import { formatRfc2822, TWILIO_API_VERSION } from './twilio-wire.js';

export type JsonRecord = Record<string, unknown>;

const accountUri = (accountSid: string) => `/${TWILIO_API_VERSION}/Accounts/${accountSid}`;

/** '+14158675309' → '(415) 867-5309' as Twilio formats NANP numbers; others unchanged. */
export function formatPhoneNumber(e164: string): string {
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return m ? `(${m[1]}) ${m[2]}-${m[3]}` : e164;
}

export function buildCallResource(input: { sid: string; accountSid: string; to: string; from: string; phoneNumberSid?: string | null; now: Date }): JsonRecord {
  const base = `${accountUri(input.accountSid)}/Calls/${input.sid}`;
  const sub = (name: string) => `${base}/${name}.json`;
  const date = formatRfc2822(input.now);
  return {
    sid: input.sid,
    date_created: date,
    date_updated: date,
    parent_call_sid: null,
    account_sid: input.accountSid,
    to: input.to,
    to_formatted: formatPhoneNumber(input.to),
    from: input.from,
    from_formatted: formatPhoneNumber(input.from),
    phone_number_sid: input.phoneNumberSid ?? null,
    status: 'queued',
    start_time: null,
    end_time: null,
    duration: null,
    price: null,
    price_unit: 'USD',
    direction: 'outbound-api',
    answered_by: null,
    api_version: TWILIO_API_VERSION,
    forwarded_from: null,
    group_sid: null,
    caller_name: null,
    queue_time: '0',
    trunk_sid: null,
    uri: `${base}.json`,
    subresource_uris: {
      notifications: sub('Notifications'),
      recordings: sub('Recordings'),
      payments: sub('Payments'),
      events: sub('Events'),
      siprec: sub('Siprec'),
      streams: sub('Streams'),
      transcriptions: sub('Transcriptions'),
      user_defined_message_subscriptions: sub('UserDefinedMessageSubscriptions'),
      user_defined_messages: sub('UserDefinedMessages'),
    },
  };
}

export function buildMessageResource(input: {
  sid: string;
  accountSid: string;
  to: string;
  from: string | null;
  body: string;
  numMedia: number;
  messagingServiceSid: string | null;
  now: Date;
}): JsonRecord {
  const base = `${accountUri(input.accountSid)}/Messages/${input.sid}`;
  const date = formatRfc2822(input.now);
  return {
    body: input.body,
    num_segments: String(countSmsSegments(input.body).segments),
    direction: 'outbound-api',
    from: input.from,
    to: input.to,
    date_updated: date,
    price: null,
    error_message: null,
    uri: `${base}.json`,
    account_sid: input.accountSid,
    num_media: String(input.numMedia),
    // With only a Messaging Service Twilio answers 'accepted' and picks the sender later.
    status: input.messagingServiceSid && !input.from ? 'accepted' : 'queued',
    messaging_service_sid: input.messagingServiceSid,
    sid: input.sid,
    date_sent: null,
    date_created: date,
    error_code: null,
    price_unit: 'USD',
    api_version: TWILIO_API_VERSION,
    subresource_uris: { media: `${base}/Media.json`, feedback: `${base}/Feedback.json` },
  };
}

export interface IncomingNumberSeed {
  phoneNumber: string;
  sid?: string;
  accountSid?: string;
  friendlyName?: string;
  voiceUrl?: string | null;
  voiceMethod?: string;
  voiceFallbackUrl?: string | null;
  statusCallback?: string;
  smsUrl?: string;
  smsFallbackUrl?: string;
  /** Any other resource field, snake_case as in the JSON. */
  fields?: JsonRecord;
}

export function buildIncomingNumberResource(seed: IncomingNumberSeed & { sid: string; accountSid: string; now: Date }): JsonRecord {
  const date = formatRfc2822(seed.now);
  return {
    account_sid: seed.accountSid,
    address_sid: null,
    address_requirements: 'none',
    api_version: TWILIO_API_VERSION,
    beta: false,
    capabilities: { voice: true, sms: true, mms: true, fax: false },
    date_created: date,
    date_updated: date,
    friendly_name: seed.friendlyName ?? formatPhoneNumber(seed.phoneNumber),
    identity_sid: null,
    phone_number: seed.phoneNumber,
    origin: 'twilio',
    sid: seed.sid,
    sms_application_sid: '',
    sms_fallback_method: 'POST',
    sms_fallback_url: seed.smsFallbackUrl ?? '',
    sms_method: 'POST',
    sms_url: seed.smsUrl ?? '',
    status_callback: seed.statusCallback ?? '',
    status_callback_method: 'POST',
    trunk_sid: null,
    uri: `${accountUri(seed.accountSid)}/IncomingPhoneNumbers/${seed.sid}.json`,
    voice_receive_mode: 'voice',
    voice_application_sid: '',
    voice_caller_id_lookup: false,
    voice_fallback_method: 'POST',
    voice_fallback_url: seed.voiceFallbackUrl ?? null,
    voice_method: seed.voiceMethod ?? 'POST',
    voice_url: seed.voiceUrl ?? null,
    emergency_status: 'Inactive',
    emergency_address_sid: null,
    emergency_address_status: 'unregistered',
    bundle_sid: null,
    status: 'in-use',
    type: 'local',
    ...seed.fields,
  };
}

/** Form keys of IncomingPhoneNumber update that map onto stored fields (Twilio REST API, https://www.twilio.com/docs/usage/api). */
export const INCOMING_NUMBER_UPDATABLE = new Set([
  'FriendlyName',
  'VoiceUrl',
  'VoiceMethod',
  'VoiceFallbackUrl',
  'VoiceFallbackMethod',
  'StatusCallback',
  'StatusCallbackMethod',
  'SmsUrl',
  'SmsMethod',
  'SmsFallbackUrl',
  'SmsFallbackMethod',
  'VoiceApplicationSid',
  'SmsApplicationSid',
  'TrunkSid',
  'VoiceCallerIdLookup',
  'VoiceReceiveMode',
  'EmergencyStatus',
  'EmergencyAddressSid',
  'AddressSid',
  'IdentitySid',
  'BundleSid',
]);

export function pascalToSnake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

// GSM 03.38 basic set and the extension table (extension characters cost two septets).
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM7_EXTENDED = new Set('\f^{}\\[~]|€');

/**
 * SMS segment count: GSM-7 160 septets single / 153 per part; otherwise UCS-2 70 / 67 UTF-16
 * code units (https://www.twilio.com/docs/glossary/what-sms-character-limit).
 */
export function countSmsSegments(body: string): { encoding: 'GSM-7' | 'UCS-2'; units: number; segments: number } {
  let septets = 0;
  let gsm = true;
  for (const ch of body) {
    if (GSM7_BASIC.has(ch)) septets += 1;
    else if (GSM7_EXTENDED.has(ch)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return { encoding: 'GSM-7', units: septets, segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
  const units = body.length;
  return { encoding: 'UCS-2', units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}
