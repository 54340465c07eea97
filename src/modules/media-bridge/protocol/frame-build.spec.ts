import { describe, expect, it } from '@jest/globals';
import { agentMessages, buildUserAudioFrame, TwilioFrameBuilder } from './frame-build.js';

const payload = Buffer.alloc(160, 0x7f).toString('base64');
const src = Buffer.from(`xx${payload}yy`);

describe('frame builders', () => {
  it('should build the user audio chunk without a type field', () => {
    expect(JSON.parse(buildUserAudioFrame(src, 2, 2 + payload.length).toString())).toEqual({ user_audio_chunk: payload });
  });

  it('should build Twilio media, mark and clear for the stream', () => {
    const b = new TwilioFrameBuilder('MZ' + 'a'.repeat(32));
    expect(JSON.parse(b.media(src, 2, 2 + payload.length).toString())).toEqual({ event: 'media', streamSid: b.streamSid, media: { payload } });
    expect(JSON.parse(b.mark('0:12'))).toEqual({ event: 'mark', streamSid: b.streamSid, mark: { name: '0:12' } });
    expect(JSON.parse(b.clear())).toEqual({ event: 'clear', streamSid: b.streamSid });
  });

  it('should put the initiation fields at the top level and omit an empty override', () => {
    const msg = JSON.parse(agentMessages.initiation({ dynamicVariables: { customer_name: 'Ada' }, conversationConfigOverride: {}, userId: 'call-1' }));
    expect(msg).toEqual({ type: 'conversation_initiation_client_data', dynamic_variables: { customer_name: 'Ada' }, user_id: 'call-1' });
    const withOverride = JSON.parse(
      agentMessages.initiation({ dynamicVariables: {}, conversationConfigOverride: { agent: { first_message: 'Hi' } }, userId: 'c' }),
    );
    expect(withOverride.conversation_config_override).toEqual({ agent: { first_message: 'Hi' } });
  });

  it('should build pong, tool result and contextual update', () => {
    expect(JSON.parse(agentMessages.pong(7))).toEqual({ type: 'pong', event_id: 7 });
    expect(JSON.parse(agentMessages.toolResult('t1', 'done "ok"', false))).toEqual({
      type: 'client_tool_result',
      tool_call_id: 't1',
      result: 'done "ok"',
      is_error: false,
    });
    expect(JSON.parse(agentMessages.contextualUpdate('pressed "5"'))).toEqual({ type: 'contextual_update', text: 'pressed "5"' });
  });
});
