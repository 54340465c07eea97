// The conversation-initiation ("Twilio personalization") webhook body (protocol notes §2.3):
// { caller_id, agent_id, called_number, call_sid }. Pure.

export interface InitiationRequest {
  /** As sent (E.164 normally; may be "anonymous" or empty when the number is withheld). */
  callerId: string;
  agentId: string | null;
  calledNumber: string | null;
  /** A Twilio CallSid when ElevenLabs carried the call over Twilio; null otherwise. */
  twilioCallSid: string | null;
}

const TWILIO_CALL_SID = /^CA[0-9a-f]{32}$/i;
const field = (body: Record<string, unknown>, name: string, max: number): string | null => {
  const value = body[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, max) : null;
};

/** Never throws: an unusable body still gets a (neutral) answer, so a caller never hears silence. */
export function parseInitiationRequest(body: unknown): InitiationRequest {
  const b = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const callSid = field(b, 'call_sid', 64);
  return {
    callerId: field(b, 'caller_id', 64) ?? 'unknown',
    agentId: field(b, 'agent_id', 100),
    calledNumber: field(b, 'called_number', 64),
    twilioCallSid: callSid && TWILIO_CALL_SID.test(callSid) ? callSid : null,
  };
}

export interface InitiationAnswer {
  type: 'conversation_initiation_client_data';
  dynamic_variables: Record<string, string | number | boolean>;
  conversation_config_override: Record<string, unknown>;
}

/** The answer ElevenLabs needs; without `type` the call fails silently (elevenlabs-docs#929). */
export function initiationAnswer(
  variables: Record<string, string | number | boolean>,
  override: Record<string, unknown>,
  callId: string | null,
): InitiationAnswer {
  // The variable is always present (empty when unknown): an agent whose tools use it must not fail.
  return {
    type: 'conversation_initiation_client_data',
    dynamic_variables: { ...variables, switchboard_call_id: callId ?? '' },
    conversation_config_override: override,
  };
}
