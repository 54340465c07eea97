import { buildTextFrame } from './ws-frame.js';

// Outgoing audio frames are assembled by copying the base64 bytes we received into a template:
// one small allocation, no string building, no JSON.stringify (STYLE §7.14). The payload spans come
// from frame-scan.ts, which guarantees they hold no quote or backslash.

const USER_AUDIO_HEAD = Buffer.from('{"user_audio_chunk":"');
const CLOSE_STRING_AND_OBJECT = Buffer.from('"}');
const CLOSE_STRING_AND_TWO_OBJECTS = Buffer.from('"}}');

/** The complete (client-masked) WebSocket frame of a user audio chunk, ready for the socket. */
export function userAudioWsFrame(src: Buffer, start: number, end: number): Buffer {
  return buildTextFrame(USER_AUDIO_HEAD, src, start, end, CLOSE_STRING_AND_OBJECT, true);
}

/** `{"user_audio_chunk":"<payload>"}` (docs/protocols.md §4.3: no `type` field, by design). */
export function buildUserAudioFrame(src: Buffer, start: number, end: number): Buffer {
  const head = USER_AUDIO_HEAD.length;
  const len = end - start;
  const out = Buffer.allocUnsafe(head + len + 2);
  USER_AUDIO_HEAD.copy(out, 0);
  src.copy(out, head, start, end);
  CLOSE_STRING_AND_OBJECT.copy(out, head + len);
  return out;
}

/** Twilio's outbound messages for one stream (docs/protocols.md §2.3); the streamSid prefix is built once. */
export class TwilioFrameBuilder {
  private readonly mediaHead: Buffer;
  private readonly sidJson: string;

  constructor(readonly streamSid: string) {
    this.sidJson = JSON.stringify(streamSid);
    this.mediaHead = Buffer.from(`{"event":"media","streamSid":${this.sidJson},"media":{"payload":"`);
  }

  /** `{"event":"media","streamSid":"MZ…","media":{"payload":"<payload>"}}` */
  media(src: Buffer, start: number, end: number): Buffer {
    const head = this.mediaHead.length;
    const len = end - start;
    const out = Buffer.allocUnsafe(head + len + 3);
    this.mediaHead.copy(out, 0);
    src.copy(out, head, start, end);
    CLOSE_STRING_AND_TWO_OBJECTS.copy(out, head + len);
    return out;
  }

  /** The same, as a complete (unmasked, server-side) WebSocket frame ready for the socket. */
  mediaWsFrame(src: Buffer, start: number, end: number): Buffer {
    return buildTextFrame(this.mediaHead, src, start, end, CLOSE_STRING_AND_TWO_OBJECTS, false);
  }

  mark(name: string): string {
    return `{"event":"mark","streamSid":${this.sidJson},"mark":{"name":${JSON.stringify(name)}}}`;
  }

  clear(): string {
    return `{"event":"clear","streamSid":${this.sidJson}}`;
  }
}

/** Messages to ElevenLabs other than audio (docs/protocols.md §4.3). */
export const agentMessages = {
  pong: (eventId: number) => `{"type":"pong","event_id":${eventId}}`,
  contextualUpdate: (text: string) => JSON.stringify({ type: 'contextual_update', text }),
  toolResult: (toolCallId: string, result: string, isError: boolean) =>
    JSON.stringify({ type: 'client_tool_result', tool_call_id: toolCallId, result, is_error: isError }),
  initiation: (data: { dynamicVariables: Record<string, unknown>; conversationConfigOverride?: Record<string, unknown>; userId: string }) =>
    JSON.stringify({
      type: 'conversation_initiation_client_data',
      // Fields sit at the top level on the WebSocket (the jambonz bug in docs/protocols.md §4.3).
      ...(data.conversationConfigOverride && Object.keys(data.conversationConfigOverride).length > 0
        ? { conversation_config_override: data.conversationConfigOverride }
        : {}),
      dynamic_variables: data.dynamicVariables,
      user_id: data.userId,
    }),
};
