// Pure: what a handed-back conversation is told, from how the human leg ended (Twilio DialCallStatus).

export interface HandbackText {
  note: string;
  firstMessage: string;
}

export function handbackText(dialCallStatus: string, reason?: string | null): HandbackText {
  const why = reason ? ` (reason: ${reason})` : '';
  if (dialCallStatus === 'completed' || dialCallStatus === 'answered') {
    return {
      note: `The caller was transferred to a colleague${why}; that call has ended and the caller is back with you. Continue helping them; do not repeat what was already settled.`,
      firstMessage: "I'm back with you. Is there anything else I can help you with?",
    };
  }
  return {
    note: `The caller was to be transferred to a colleague${why}, but nobody could take the call (${dialCallStatus}). Apologise briefly and keep helping, or offer to take a message.`,
    firstMessage: 'Sorry, none of my colleagues could take the call right now. I can keep helping you, or take a message.',
  };
}
