import { describe, expect, it } from '@jest/globals';
import twilio from 'twilio';
import { parseStreamStart, publicStreamUrls, verifyStreamSignature } from './media-stream-auth.js';

const token = 'platform-token';
// Signed with the official helper, independently of our verifier (docs/protocols.md §1.4).
const sign = (url: string, authToken = token) => twilio.getExpectedTwilioSignature(authToken, url, {});

describe('publicStreamUrls', () => {
  it.each([
    ['https://voice.example.com', '/media-stream', ['wss://voice.example.com/media-stream', 'wss://voice.example.com/media-stream/']],
    ['http://localhost:3000', '/media-stream', ['ws://localhost:3000/media-stream', 'ws://localhost:3000/media-stream/']],
    [
      'https://lb.example.com/switchboard',
      '/media-stream',
      ['wss://lb.example.com/switchboard/media-stream', 'wss://lb.example.com/switchboard/media-stream/'],
    ],
    ['https://voice.example.com', '/media-stream/', ['wss://voice.example.com/media-stream/', 'wss://voice.example.com/media-stream']],
  ])('%s + %s', (base, path, urls) => {
    expect(publicStreamUrls(base, path)).toEqual(urls);
  });
});

describe('verifyStreamSignature', () => {
  const urls = publicStreamUrls('https://voice.example.com', '/media-stream');
  it.each([
    ['the wss URL', sign('wss://voice.example.com/media-stream'), true],
    ['the trailing-slash form', sign('wss://voice.example.com/media-stream/'), true],
    ['with the default port', sign('wss://voice.example.com:443/media-stream'), true],
    ['the https URL (wrong scheme)', sign('https://voice.example.com/media-stream'), false],
    ['another host', sign('wss://evil.example.com/media-stream'), false],
    ['another token', sign('wss://voice.example.com/media-stream', 'other'), false],
    ['garbage', 'not-a-signature', false],
  ])('should judge a signature over %s', (_case, signature, ok) => {
    expect(verifyStreamSignature(token, signature, urls)).toBe(ok);
  });
});

describe('parseStreamStart', () => {
  const start = {
    event: 'start',
    sequenceNumber: '1',
    streamSid: 'MZ' + 'a'.repeat(32),
    start: {
      streamSid: 'MZ' + 'a'.repeat(32),
      accountSid: 'AC' + 'b'.repeat(32),
      callSid: 'CA' + 'c'.repeat(32),
      customParameters: { sessionToken: 'v1.t.c.1.m', callId: 'call-1' },
    },
  };

  it('should read the SIDs and our parameters', () => {
    expect(parseStreamStart(start)).toEqual({
      streamSid: start.start.streamSid,
      accountSid: start.start.accountSid,
      callSid: start.start.callSid,
      sessionToken: 'v1.t.c.1.m',
      callId: 'call-1',
    });
  });

  it.each([
    ['another event', { ...start, event: 'media' }],
    ['a malformed stream SID', { ...start, start: { ...start.start, streamSid: 'MZ"}' } }],
    ['a missing call SID', { ...start, start: { ...start.start, callSid: undefined } }],
    ['no start object', { event: 'start' }],
    ['not an object', 'start'],
  ])('should refuse %s', (_case, msg) => {
    expect(parseStreamStart(msg)).toBeNull();
  });

  it('should treat missing parameters as null', () => {
    expect(parseStreamStart({ ...start, start: { ...start.start, customParameters: undefined } })).toMatchObject({ sessionToken: null, callId: null });
  });
});
