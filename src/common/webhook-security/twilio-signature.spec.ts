import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import twilio from 'twilio';
import { computeTwilioSignature, signatureUrlCandidates, verifyTwilioJsonSignature, verifyTwilioSignature } from './twilio-signature.js';

// Signatures are produced by the official library, never by the code under test.
const official = (token: string, url: string, params: Record<string, unknown>) => twilio.getExpectedTwilioSignature(token, url, params);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('verifyTwilioSignature', () => {
  const token = '12345';
  const params = { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' };

  it("should match Twilio's documented example", () => {
    expect(computeTwilioSignature(token, 'https://mycompany.com/myapp.php?foo=1&bar=2', params)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
  });

  it.each([
    ['the URL as signed', 'https://voice.example.com/api/webhooks/twilio/voice', 'https://voice.example.com/api/webhooks/twilio/voice'],
    ['a default port Twilio did not sign', 'https://voice.example.com/api/webhooks/twilio/voice', 'https://voice.example.com:443/api/webhooks/twilio/voice'],
    ['a default port Twilio signed', 'https://voice.example.com:443/api/webhooks/twilio/voice', 'https://voice.example.com/api/webhooks/twilio/voice'],
    ['a query string', 'https://voice.example.com/hook?tenant=a%20b', 'https://voice.example.com/hook?tenant=a%20b'],
    ['a wss URL', 'wss://voice.example.com/media-stream', 'wss://voice.example.com/media-stream'],
  ])('should accept %s', (_case, signedUrl, verifiedUrl) => {
    expect(verifyTwilioSignature(token, official(token, signedUrl, params), verifiedUrl, params)).toBe(true);
  });

  it('should accept reordered and repeated fields', () => {
    const repeated = { B: '2', A: ['z', 'a'], C: '' };
    const sig = official(token, 'https://h.example/x', repeated);
    expect(verifyTwilioSignature(token, sig, 'https://h.example/x', { C: '', A: ['a', 'z'], B: '2' })).toBe(true);
  });

  it.each([
    ['another scheme', 'http://voice.example.com/api/webhooks/twilio/voice', params],
    ['a trailing slash', 'https://voice.example.com/api/webhooks/twilio/voice/', params],
    ['an extra field added after signing', 'https://voice.example.com/api/webhooks/twilio/voice', { ...params, Extra: '1' }],
    ['a changed field', 'https://voice.example.com/api/webhooks/twilio/voice', { ...params, To: '+18005550000' }],
    ['a non-default port not signed', 'https://voice.example.com:8443/api/webhooks/twilio/voice', params],
  ])('should refuse %s', (_case, url, received) => {
    const sig = official(token, 'https://voice.example.com/api/webhooks/twilio/voice', params);
    expect(verifyTwilioSignature(token, sig, url, received)).toBe(false);
  });

  it('should refuse another token and garbage', () => {
    const sig = official('other', 'https://h.example/x', params);
    expect(verifyTwilioSignature(token, sig, 'https://h.example/x', params)).toBe(false);
    expect(verifyTwilioSignature(token, 'nope', 'https://h.example/x', params)).toBe(false);
  });

  it('should list port variants', () => {
    expect(signatureUrlCandidates('https://h.example/x?y=1')).toEqual(['https://h.example/x?y=1', 'https://h.example:443/x?y=1']);
    expect(signatureUrlCandidates('https://h.example:443/x')).toEqual(['https://h.example:443/x', 'https://h.example/x']);
    expect(signatureUrlCandidates('http://h.example:3000/x')).toEqual(['http://h.example:3000/x']);
  });
});

describe('verifyTwilioJsonSignature', () => {
  it('should check the signature over the URL and the body hash (docs example)', () => {
    const body = Buffer.from('{"CallSid":"CA1234567890ABCDE","Caller":"+12349013030"}');
    expect(sha256(body)).toBe('5ccde7145dfb8f56479710896586cb9d5911809d83afbe34627818790db0aec9');
    const url = `https://h.example/json?bodySHA256=${sha256(body)}`;
    const sig = official('tok', url, {});
    expect(twilio.validateRequestWithBody('tok', sig, url, body.toString())).toBe(true);
    expect(verifyTwilioJsonSignature('tok', sig, url, body, sha256)).toBe(true);
    expect(verifyTwilioJsonSignature('tok', sig, url, Buffer.from('{"CallSid":"CAx"}'), sha256)).toBe(false);
  });
});
