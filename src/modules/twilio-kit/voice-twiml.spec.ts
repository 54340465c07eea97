import { describe, expect, it } from '@jest/globals';
import { XMLParser } from 'fast-xml-parser';
import { connectStreamTwiml, dialTwiml, hangupTwiml, mediaStreamUrl, sayThenHandOffTwiml } from './voice-twiml.js';

const parse = (xml: string) => new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false }).parse(xml);

describe('voice TwiML', () => {
  it.each([
    ['https://voice.example.com', 'wss://voice.example.com/media-stream'],
    ['http://localhost:3000', 'ws://localhost:3000/media-stream'],
    ['https://lb.example.com/switchboard', 'wss://lb.example.com/switchboard/media-stream'],
  ])('should derive the stream URL from %s', (base, expected) => {
    expect(mediaStreamUrl(base)).toBe(expected);
  });

  it('should connect the stream with its action, status callback and parameters', () => {
    const doc = parse(connectStreamTwiml({ publicBaseUrl: 'https://h.example/p', parameters: { sessionToken: 'v1.a.b<&>"', callId: 'c-1' } }));
    expect(doc.Response.Connect.action).toBe('https://h.example/p/api/webhooks/twilio/voice/connect-action');
    expect(doc.Response.Connect.Stream.url).toBe('wss://h.example/p/media-stream');
    expect(doc.Response.Connect.Stream.statusCallback).toBe('https://h.example/p/api/webhooks/twilio/voice/stream-status');
    expect(doc.Response.Connect.Stream.Parameter).toEqual([
      { name: 'sessionToken', value: 'v1.a.b<&>"' },
      { name: 'callId', value: 'c-1' },
    ]);
  });

  it('should say then dial, or say then hang up', () => {
    expect(parse(sayThenHandOffTwiml('Closed', '+14155550100')).Response).toEqual({ Say: 'Closed', Dial: '+14155550100' });
    expect(parse(sayThenHandOffTwiml('Closed')).Response).toEqual({ Say: 'Closed', Hangup: '' });
    expect(parse(dialTwiml('+14155550100')).Response).toEqual({ Dial: '+14155550100' });
    expect(parse(hangupTwiml()).Response).toEqual({ Hangup: '' });
  });
});
