import { describe, expect, it } from '@jest/globals';
import { initiationAnswer, parseInitiationRequest } from './initiation-request.js';

describe('parseInitiationRequest', () => {
  it('should read the documented body', () => {
    expect(
      parseInitiationRequest({ caller_id: '+14155550100', agent_id: 'agent_1', called_number: '+14155550199', call_sid: 'CA0123456789abcdef0123456789abcdef' }),
    ).toEqual({
      callerId: '+14155550100',
      agentId: 'agent_1',
      calledNumber: '+14155550199',
      twilioCallSid: 'CA0123456789abcdef0123456789abcdef',
    });
  });

  it.each([null, 'text', [], {}, { caller_id: 42, call_sid: 'sip-call-id@host' }])('should still give something usable for %j', (body) => {
    expect(parseInitiationRequest(body)).toEqual({ callerId: 'unknown', agentId: null, calledNumber: null, twilioCallSid: null });
  });
});

describe('initiationAnswer', () => {
  it('should carry the type and always the switchboard_call_id variable', () => {
    expect(initiationAnswer({ customer_name: 'Customer' }, {}, null)).toEqual({
      type: 'conversation_initiation_client_data',
      dynamic_variables: { customer_name: 'Customer', switchboard_call_id: '' },
      conversation_config_override: {},
    });
  });
});
