// What a Twilio IncomingPhoneNumber should look like for us, and how far the live one is from it.
// Pure functions: no I/O, no clock. Field names are the twilio SDK's update options (camelCase),
// so a computed update goes to `incomingPhoneNumbers(sid).update()` unchanged (Twilio REST API, https://www.twilio.com/docs/usage/api).

export const WEBHOOK_PATHS = {
  voice: '/api/webhooks/twilio/voice',
  voiceFallback: '/api/webhooks/twilio/voice/fallback',
  voiceStatus: '/api/webhooks/twilio/voice/status',
  sms: '/api/webhooks/twilio/sms',
  smsFallback: '/api/webhooks/twilio/sms/fallback',
} as const;

const URL_FIELDS = ['voiceUrl', 'voiceFallbackUrl', 'statusCallback', 'smsUrl', 'smsFallbackUrl'] as const;
const METHOD_FIELDS = ['voiceMethod', 'voiceFallbackMethod', 'statusCallbackMethod', 'smsMethod', 'smsFallbackMethod'] as const;
// While one of these is set Twilio ignores the matching URLs (VoiceUrl is ignored with a voice
// application or a SIP trunk), so an enabled channel needs them empty.
const SID_FIELDS = ['voiceApplicationSid', 'trunkSid', 'smsApplicationSid'] as const;

export const WEBHOOK_FIELDS = [...URL_FIELDS, ...METHOD_FIELDS, ...SID_FIELDS] as const;
export type WebhookField = (typeof WEBHOOK_FIELDS)[number];

/** The number's live configuration as Twilio reports it (null where Twilio has no value). */
export type WebhookConfig = Partial<Record<WebhookField, string | null>>;

/**
 * What the number should look like. An empty string means "nothing of ours": for a URL field
 * a URL of someone else is left alone, for a SID field the value must be empty.
 */
export type ExpectedWebhookConfig = Partial<Record<WebhookField, string>>;

/** An update for Twilio: only the fields that have to change. */
export type WebhookUpdate = Partial<Record<WebhookField, string>>;

export interface WebhookDifference {
  field: WebhookField;
  expected: string;
  actual: string | null;
}

export interface ChannelTarget {
  /** Voice calls come to us (the number is assigned and voice-enabled). */
  voice: boolean;
  /** SMS or WhatsApp messages come to us (both arrive on SmsUrl). */
  messaging: boolean;
}

/** Which channels of a number come to us: none while it sits unassigned in the pool. */
export function channelTargetOf(n: { tenantId: string | null; voiceEnabled: boolean; smsEnabled: boolean; whatsappEnabled: boolean }): ChannelTarget {
  const assigned = n.tenantId !== null;
  return { voice: assigned && n.voiceEnabled, messaging: assigned && (n.smsEnabled || n.whatsappEnabled) };
}

const URL_FIELD_SET = new Set<WebhookField>(URL_FIELDS);
const METHOD_FIELD_SET = new Set<WebhookField>(METHOD_FIELDS);

/** The configuration a number needs; URLs hang off PUBLIC_BASE_URL (no trailing slash). */
export function expectedWebhookConfig(publicBaseUrl: string, target: ChannelTarget): ExpectedWebhookConfig {
  const base = publicBaseUrl.replace(/\/+$/, '');
  const voice: ExpectedWebhookConfig = target.voice
    ? {
        voiceUrl: base + WEBHOOK_PATHS.voice,
        voiceMethod: 'POST',
        voiceFallbackUrl: base + WEBHOOK_PATHS.voiceFallback,
        voiceFallbackMethod: 'POST',
        statusCallback: base + WEBHOOK_PATHS.voiceStatus,
        statusCallbackMethod: 'POST',
        voiceApplicationSid: '',
        trunkSid: '',
      }
    : { voiceUrl: '', voiceFallbackUrl: '', statusCallback: '' };
  const messaging: ExpectedWebhookConfig = target.messaging
    ? {
        smsUrl: base + WEBHOOK_PATHS.sms,
        smsMethod: 'POST',
        smsFallbackUrl: base + WEBHOOK_PATHS.smsFallback,
        smsFallbackMethod: 'POST',
        smsApplicationSid: '',
      }
    : { smsUrl: '', smsFallbackUrl: '' };
  return { ...voice, ...messaging };
}

/**
 * Whether a URL on Twilio is one of ours: under our current webhook prefix, or one we wrote
 * earlier (the last snapshot), which still counts after PUBLIC_BASE_URL has changed.
 */
export function ownershipTest(publicBaseUrl: string, lastConfigured: Record<string, string> | null | undefined): (url: string) => boolean {
  const prefix = `${publicBaseUrl.replace(/\/+$/, '')}/api/webhooks/twilio/`;
  const earlier = new Set(Object.values(lastConfigured ?? {}).filter((v) => typeof v === 'string' && v !== ''));
  return (url) => url.startsWith(prefix) || earlier.has(url);
}

const blank = (v: string | null | undefined): boolean => v === null || v === undefined || v === '';

function fieldMatches(field: WebhookField, expected: string, actual: string | null | undefined, isOurs: (url: string) => boolean): boolean {
  if (URL_FIELD_SET.has(field)) return expected === '' ? blank(actual) || !isOurs(actual!) : actual === expected;
  // Twilio documents POST as the default method, and reports methods upper-case.
  if (METHOD_FIELD_SET.has(field)) return (blank(actual) ? 'POST' : actual!.toUpperCase()) === expected.toUpperCase();
  return expected === '' ? blank(actual) : actual === expected;
}

/** Every field where the live configuration is not what it should be, in a stable order. */
export function diffWebhookConfig(expected: ExpectedWebhookConfig, actual: WebhookConfig, isOurs: (url: string) => boolean): WebhookDifference[] {
  const out: WebhookDifference[] = [];
  for (const field of WEBHOOK_FIELDS) {
    const want = expected[field];
    if (want === undefined) continue;
    const have = actual[field] ?? null;
    if (!fieldMatches(field, want, have, isOurs)) out.push({ field, expected: want, actual: have });
  }
  return out;
}

/** The update that turns `actual` into `expected`: the differing fields only (empty = nothing to do). */
export function planWebhookUpdate(expected: ExpectedWebhookConfig, actual: WebhookConfig, isOurs: (url: string) => boolean): WebhookUpdate {
  return Object.fromEntries(diffWebhookConfig(expected, actual, isOurs).map((d) => [d.field, d.expected]));
}

/** The update that puts back what `update` changed (compensation), from the configuration read before it. */
export function revertWebhookUpdate(update: WebhookUpdate, previous: WebhookConfig): WebhookUpdate {
  return Object.fromEntries(Object.keys(update).map((field) => [field, previous[field as WebhookField] ?? '']));
}

/** The fields we manage, from the SDK's IncomingPhoneNumber instance (or any object with those keys). */
export function toWebhookConfig(resource: Partial<Record<WebhookField, unknown>>): WebhookConfig {
  return Object.fromEntries(WEBHOOK_FIELDS.map((f) => [f, typeof resource[f] === 'string' ? resource[f] : null]));
}

/** URLs may carry HTTP Basic credentials (`https://user:pass@host/...`): never echo or store those. */
export function redactUrlCredentials(value: string | null): string | null {
  return value === null ? null : value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1***@');
}

export function redactConfig<T extends Partial<Record<WebhookField, string | null>>>(config: T): T {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === 'string' ? redactUrlCredentials(v) : v])) as T;
}
