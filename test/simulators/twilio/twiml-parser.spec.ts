import { describe, expect, it } from '@jest/globals';
import { parseTwiml } from './twiml-parser.js';

describe('parseTwiml', () => {
  it('should parse Connect/Stream with parameters, keeping strings and verb order', () => {
    const twiml = parseTwiml(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="alice">Hi &amp; welcome</Say>' +
        '<Connect action="https://voice.example.com/after"><Stream url="wss://voice.example.com/media-stream" ' +
        'statusCallback="https://voice.example.com/stream-status"><Parameter name="sessionToken" value="007"/>' +
        '<Parameter name="tenant" value="t-1"/></Stream></Connect><Hangup/></Response>',
    );
    expect(twiml.verbs.map((v) => v.name)).toEqual(['Say', 'Connect', 'Hangup']);
    expect(twiml.say).toEqual(['Hi & welcome']);
    expect(twiml.hangup).toBe(true);
    expect(twiml.connect).toMatchObject({
      action: 'https://voice.example.com/after',
      stream: {
        url: 'wss://voice.example.com/media-stream',
        statusCallback: 'https://voice.example.com/stream-status',
        parameters: { sessionToken: '007', tenant: 't-1' },
      },
    });
  });

  it('should parse Dial with a bare number or a <Number> child', () => {
    expect(parseTwiml('<Response><Dial action="/dial-done" callerId="+15550001111">+15551234567</Dial></Response>').dial).toMatchObject({
      number: '+15551234567',
      action: '/dial-done',
      callerId: '+15550001111',
    });
    expect(parseTwiml('<Response><Dial><Number>+15551234567</Number></Dial></Response>').dial?.number).toBe('+15551234567');
  });

  it('should report no verbs for an empty response', () => {
    const twiml = parseTwiml('<Response/>');
    expect(twiml.verbs).toEqual([]);
    expect(twiml.hangup).toBe(false);
    expect(twiml.connect).toBeUndefined();
  });

  it('should throw when the XML is malformed or the root is not Response', () => {
    expect(() => parseTwiml('<Response><Say>')).toThrow(/Invalid TwiML/);
    expect(() => parseTwiml('<Foo/>')).toThrow(/root element/);
  });
});
