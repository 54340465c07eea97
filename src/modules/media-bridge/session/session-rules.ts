// Small protocol decisions of the bridge, kept pure so they carry their own table tests.

/**
 * Agent audio that arrives after an `interruption` but belongs to the interrupted turn is dropped.
 * The SDKs disagree (docs/protocols.md §4.5): the JS client drops `event_id < interruption`, the Python
 * SDK `event_id <= interruption`. We follow Python (`<=`): audio of the interrupted turn may carry
 * the interruption's id, while the agent's next turn is only generated after the interruption and
 * so always carries a higher id. Erring this way can cost a stale chunk, never a word of the reply.
 */
export function isStaleAgentAudio(eventId: number, lastInterruptionId: number): boolean {
  return lastInterruptionId > 0 && eventId <= lastInterruptionId;
}

export const TELEPHONY_AUDIO_FORMAT = 'ulaw_8000';

/**
 * Twilio carries μ-law 8 kHz only, and formats cannot be overridden per conversation (elevenlabs.md
 * §4): an agent announcing anything else is misconfigured. Returns what is wrong, or null.
 */
export function requiredAudioFormatProblem(meta: { userInputAudioFormat: string; agentOutputAudioFormat: string }): string | null {
  const wrong: string[] = [];
  if (meta.userInputAudioFormat !== TELEPHONY_AUDIO_FORMAT) wrong.push(`user_input_audio_format is ${meta.userInputAudioFormat || 'missing'}`);
  if (meta.agentOutputAudioFormat !== TELEPHONY_AUDIO_FORMAT) wrong.push(`agent_output_audio_format is ${meta.agentOutputAudioFormat || 'missing'}`);
  return wrong.length > 0 ? `${wrong.join(' and ')} (both must be ${TELEPHONY_AUDIO_FORMAT})` : null;
}
