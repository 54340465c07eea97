import { describe, expect, it } from '@jest/globals';
import { parseTwilioFrame } from './twilio-ws.adapter.js';

describe('parseTwilioFrame', () => {
  it('should map a Twilio frame to { event, data: frame }', () => {
    const frame = { event: 'mark', streamSid: 'MZ1', mark: { name: 'x' } };
    expect(parseTwilioFrame(Buffer.from(JSON.stringify(frame)))).toEqual({ event: 'mark', data: frame });
  });

  it.each([['[1,2]'], ['"start"'], ['{"type":"media"}']])('should drop %s', (text) => {
    expect(parseTwilioFrame(text)).toBeUndefined();
  });
});
