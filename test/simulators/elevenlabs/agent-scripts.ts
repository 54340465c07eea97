import type { AgentConfig, ConversationRecord, ScriptTurn, TextReplyFn } from './fake-elevenlabs-types.js';

export const DEFAULT_PING_INTERVAL_MS = 2000;
export const DEFAULT_MAX_MISSED_PONGS = 10;
export const DEFAULT_INITIATION_TIMEOUT_MS = 500;
export const DEFAULT_AUDIO_CHUNK_MS = 20;
export const DEFAULT_AGENT_AUDIO_MS = 200;
export const DEFAULT_TOOL_RESULT_TIMEOUT_MS = 10_000;

/** A ready-made script: one question, one answer, then the agent hangs up through a client tool. */
export const BOILER_SERVICE_SCRIPT: ScriptTurn[] = [
  {
    waitForUserAudioMs: 600,
    userTranscript: 'Hi, how much is a boiler service?',
    agentResponse: 'A boiler service is 90 pounds, {{customer_name}}. Shall I book one?',
    agentAudioMs: 400,
  },
  { clientToolCall: { tool_name: 'end_call', parameters: {} } },
  { endConversation: true },
];

export type ResolvedAgentConfig = Required<
  Pick<
    AgentConfig,
    | 'mode'
    | 'requiresAuth'
    | 'script'
    | 'userInputAudioFormat'
    | 'agentOutputAudioFormat'
    | 'pingIntervalMs'
    | 'maxMissedPongs'
    | 'initiationTimeoutMs'
    | 'audioChunkMs'
    | 'audioChunkIntervalMs'
    | 'textOnly'
    | 'textReply'
    | 'requiredDynamicVariables'
    | 'overridePolicy'
    | 'toolResultTimeoutMs'
    | 'recordAudioPayloads'
  >
> &
  Pick<AgentConfig, 'name' | 'firstMessage' | 'analysis'>;

export function resolveAgentConfig(config: AgentConfig): ResolvedAgentConfig {
  return {
    ...config,
    mode: config.mode ?? (config.script ? 'scripted' : 'echo'),
    requiresAuth: config.requiresAuth ?? false,
    script: config.script ?? [],
    userInputAudioFormat: config.userInputAudioFormat ?? 'ulaw_8000',
    agentOutputAudioFormat: config.agentOutputAudioFormat ?? 'ulaw_8000',
    pingIntervalMs: config.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS,
    maxMissedPongs: config.maxMissedPongs ?? DEFAULT_MAX_MISSED_PONGS,
    initiationTimeoutMs: config.initiationTimeoutMs ?? DEFAULT_INITIATION_TIMEOUT_MS,
    audioChunkMs: config.audioChunkMs ?? DEFAULT_AUDIO_CHUNK_MS,
    audioChunkIntervalMs: config.audioChunkIntervalMs ?? 0,
    textOnly: config.textOnly ?? false,
    textReply: config.textReply ?? defaultTextReply,
    requiredDynamicVariables: config.requiredDynamicVariables ?? [],
    overridePolicy: config.overridePolicy ?? 'allow',
    toolResultTimeoutMs: config.toolResultTimeoutMs ?? DEFAULT_TOOL_RESULT_TIMEOUT_MS,
    recordAudioPayloads: config.recordAudioPayloads ?? false,
  };
}

/** Deterministic canned reply used by the text-only (SMS) path. */
export const defaultTextReply: TextReplyFn = (userText, conversation) => {
  const name = conversation.initiation?.dynamic_variables?.customer_name;
  const greeting = name === undefined ? 'Thanks' : `Thanks ${String(name)}`;
  return `${greeting}, you said: "${userText}". How else can I help?`;
};

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** Names of `{{var}}` placeholders in a template. */
export function placeholdersIn(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]);
}

/** Fill `{{var}}` placeholders; unknown ones are left as they are. */
export function renderTemplate(template: string, variables: Record<string, unknown>): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = variables[name];
    if (value === undefined) return whole;
    // Dynamic variables are strings, numbers and booleans; anything else is rendered as its JSON.
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null ? String(value) : JSON.stringify(value);
  });
}

/** Dynamic variables as the agent sees them: client ones plus the `system__` built-ins. */
export function dynamicVariablesOf(record: ConversationRecord): Record<string, unknown> {
  return {
    ...(record.initiation?.dynamic_variables ?? {}),
    system__agent_id: record.agentId,
    system__conversation_id: record.conversationId,
  };
}
