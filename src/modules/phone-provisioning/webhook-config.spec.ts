import { describe, expect, it } from '@jest/globals';
import {
  channelTargetOf,
  diffWebhookConfig,
  expectedWebhookConfig,
  ownershipTest,
  planWebhookUpdate,
  redactUrlCredentials,
  revertWebhookUpdate,
  toWebhookConfig,
  type WebhookConfig,
} from './webhook-config.js';

const BASE = 'https://voice.example.com';
const OURS = {
  voiceUrl: `${BASE}/api/webhooks/twilio/voice`,
  voiceFallbackUrl: `${BASE}/api/webhooks/twilio/voice/fallback`,
  statusCallback: `${BASE}/api/webhooks/twilio/voice/status`,
  smsUrl: `${BASE}/api/webhooks/twilio/sms`,
  smsFallbackUrl: `${BASE}/api/webhooks/twilio/sms/fallback`,
};
const isOurs = ownershipTest(BASE, null);
// A number fresh from Twilio's console: demo URLs, nothing of ours.
const FRESH: WebhookConfig = {
  voiceUrl: 'https://demo.twilio.com/welcome/voice/',
  voiceMethod: 'POST',
  voiceFallbackUrl: '',
  voiceFallbackMethod: 'POST',
  statusCallback: '',
  statusCallbackMethod: 'POST',
  smsUrl: 'https://demo.twilio.com/welcome/sms/reply',
  smsMethod: 'POST',
  smsFallbackUrl: '',
  smsFallbackMethod: 'POST',
  voiceApplicationSid: '',
  smsApplicationSid: '',
  trunkSid: null,
};
const CONFIGURED: WebhookConfig = { ...FRESH, ...OURS };

describe('expectedWebhookConfig', () => {
  it.each([
    [
      'voice only',
      { voice: true, messaging: false },
      {
        voiceUrl: OURS.voiceUrl,
        voiceMethod: 'POST',
        voiceFallbackUrl: OURS.voiceFallbackUrl,
        statusCallback: OURS.statusCallback,
        statusCallbackMethod: 'POST',
        smsUrl: '',
        smsFallbackUrl: '',
      },
    ],
    [
      'voice and messaging',
      { voice: true, messaging: true },
      {
        voiceUrl: OURS.voiceUrl,
        smsUrl: OURS.smsUrl,
        smsMethod: 'POST',
        smsFallbackUrl: OURS.smsFallbackUrl,
        smsFallbackMethod: 'POST',
        smsApplicationSid: '',
      },
    ],
    ['nothing (unassigned)', { voice: false, messaging: false }, { voiceUrl: '', voiceFallbackUrl: '', statusCallback: '', smsUrl: '', smsFallbackUrl: '' }],
  ])('should build the %s configuration under PUBLIC_BASE_URL', (_name, target, subset) => {
    expect(expectedWebhookConfig(BASE, target)).toMatchObject(subset);
  });

  it('should not double the slash when the base URL ends with one', () => {
    expect(expectedWebhookConfig(`${BASE}/`, { voice: true, messaging: false }).voiceUrl).toBe(OURS.voiceUrl);
  });

  it('should keep a path prefix of the base URL', () => {
    expect(expectedWebhookConfig('https://lb.example.com/switchboard', { voice: true, messaging: false }).statusCallback).toBe(
      'https://lb.example.com/switchboard/api/webhooks/twilio/voice/status',
    );
  });

  it('should not mention the methods or application SIDs of a channel that is off', () => {
    const expected = expectedWebhookConfig(BASE, { voice: false, messaging: false });
    expect(Object.keys(expected).sort()).toEqual(['smsFallbackUrl', 'smsUrl', 'statusCallback', 'voiceFallbackUrl', 'voiceUrl']);
  });
});

describe('diffWebhookConfig', () => {
  const voiceAndSms = expectedWebhookConfig(BASE, { voice: true, messaging: true });
  const voiceOnly = expectedWebhookConfig(BASE, { voice: true, messaging: false });
  const none = expectedWebhookConfig(BASE, { voice: false, messaging: false });

  it.each<[string, ReturnType<typeof expectedWebhookConfig>, WebhookConfig, string[]]>([
    ['a fresh number, voice and SMS wanted', voiceAndSms, FRESH, ['voiceUrl', 'voiceFallbackUrl', 'statusCallback', 'smsUrl', 'smsFallbackUrl']],
    ['a configured number', voiceAndSms, CONFIGURED, []],
    ['a GET method', voiceAndSms, { ...CONFIGURED, voiceMethod: 'GET' }, ['voiceMethod']],
    ['a lower-case post method', voiceAndSms, { ...CONFIGURED, smsMethod: 'post' }, []],
    ['a missing method (Twilio defaults to POST)', voiceAndSms, { ...CONFIGURED, statusCallbackMethod: null }, []],
    [
      'a voice application overriding VoiceUrl',
      voiceAndSms,
      { ...CONFIGURED, voiceApplicationSid: 'AP0123456789abcdef0123456789abcdef' },
      ['voiceApplicationSid'],
    ],
    ['a SIP trunk overriding VoiceUrl', voiceAndSms, { ...CONFIGURED, trunkSid: 'TK0123456789abcdef0123456789abcdef' }, ['trunkSid']],
    ['SMS off: our SMS URLs still set', voiceOnly, CONFIGURED, ['smsUrl', 'smsFallbackUrl']],
    ["SMS off: someone else's SMS URL", voiceOnly, { ...CONFIGURED, smsUrl: 'https://crm.example.org/sms', smsFallbackUrl: '' }, []],
    ['unassigned: our URLs still set', none, CONFIGURED, ['voiceUrl', 'voiceFallbackUrl', 'statusCallback', 'smsUrl', 'smsFallbackUrl']],
    ['unassigned: cleared', none, { ...FRESH, voiceUrl: null, smsUrl: '' }, []],
    ['an old PUBLIC_BASE_URL', voiceAndSms, { ...CONFIGURED, voiceUrl: 'https://old.example.com/api/webhooks/twilio/voice' }, ['voiceUrl']],
  ])('should report %s', (_name, expected, actual, fields) => {
    expect(diffWebhookConfig(expected, actual, isOurs).map((d) => d.field)).toEqual(fields);
  });

  it('should carry the expected and actual values of each difference', () => {
    expect(diffWebhookConfig(voiceAndSms, { ...CONFIGURED, voiceUrl: null }, isOurs)).toEqual([{ field: 'voiceUrl', expected: OURS.voiceUrl, actual: null }]);
  });
});

describe('ownershipTest', () => {
  it.each([
    [OURS.voiceUrl, true],
    [`${BASE}/api/webhooks/twilio/anything`, true],
    [`${BASE}/api/other`, false],
    ['https://voice.example.com.evil.test/api/webhooks/twilio/voice', false],
    ['https://old.example.com/api/webhooks/twilio/voice', true], // in the last snapshot
    ['https://demo.twilio.com/welcome/voice/', false],
  ])('should say whether %s is ours', (url, ours) => {
    expect(ownershipTest(BASE, { voiceUrl: 'https://old.example.com/api/webhooks/twilio/voice', smsUrl: '' })(url)).toBe(ours);
  });
});

describe('planWebhookUpdate and revertWebhookUpdate', () => {
  it('should change only what differs, and revert exactly that', () => {
    const expected = expectedWebhookConfig(BASE, { voice: true, messaging: false });
    const actual: WebhookConfig = { ...FRESH, smsUrl: OURS.smsUrl };
    const update = planWebhookUpdate(expected, actual, isOurs);
    expect(update).toEqual({ voiceUrl: OURS.voiceUrl, voiceFallbackUrl: OURS.voiceFallbackUrl, statusCallback: OURS.statusCallback, smsUrl: '' });
    expect(revertWebhookUpdate(update, actual)).toEqual({ voiceUrl: FRESH.voiceUrl, voiceFallbackUrl: '', statusCallback: '', smsUrl: OURS.smsUrl });
  });

  it('should plan nothing for a number that is already right', () => {
    expect(planWebhookUpdate(expectedWebhookConfig(BASE, { voice: true, messaging: true }), CONFIGURED, isOurs)).toEqual({});
  });

  it('should revert a null (never set) value to an empty string, the way Twilio clears a field', () => {
    expect(revertWebhookUpdate({ voiceUrl: OURS.voiceUrl }, { voiceUrl: null })).toEqual({ voiceUrl: '' });
  });
});

describe('toWebhookConfig', () => {
  it('should keep only our fields and turn non-strings into null', () => {
    const config = toWebhookConfig({ voiceUrl: OURS.voiceUrl, trunkSid: undefined, phoneNumber: '+14155550100' } as never);
    expect(config.voiceUrl).toBe(OURS.voiceUrl);
    expect(config.trunkSid).toBeNull();
    expect(config).not.toHaveProperty('phoneNumber');
  });
});

describe('redactUrlCredentials', () => {
  it.each([
    ['https://user:secret@crm.example.org/hook', 'https://***@crm.example.org/hook'],
    ['https://crm.example.org/hook?a=b@c', 'https://crm.example.org/hook?a=b@c'],
    ['AP0123456789abcdef0123456789abcdef', 'AP0123456789abcdef0123456789abcdef'],
    [null, null],
  ])('should redact %p', (input, output) => {
    expect(redactUrlCredentials(input)).toBe(output);
  });
});

describe('channelTargetOf', () => {
  it.each([
    [
      { tenantId: 't1', voiceEnabled: true, smsEnabled: false, whatsappEnabled: false },
      { voice: true, messaging: false },
    ],
    [
      { tenantId: 't1', voiceEnabled: true, smsEnabled: false, whatsappEnabled: true },
      { voice: true, messaging: true },
    ],
    [
      { tenantId: 't1', voiceEnabled: false, smsEnabled: true, whatsappEnabled: false },
      { voice: false, messaging: true },
    ],
    [
      { tenantId: null, voiceEnabled: true, smsEnabled: true, whatsappEnabled: true },
      { voice: false, messaging: false },
    ],
  ])('should route %o as %o', (number, target) => {
    expect(channelTargetOf(number)).toEqual(target);
  });
});
