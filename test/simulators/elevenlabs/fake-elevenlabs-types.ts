// Types shared by the fake ElevenLabs Agents Platform (see docs/protocols.md §4-§5).
// Wire objects keep the snake_case field names of the real service; our own bookkeeping is camelCase.

/** Audio formats the real service announces in `conversation_initiation_metadata` (§1.4). */
export type AudioFormat = 'ulaw_8000' | 'pcm_8000' | 'pcm_16000' | 'pcm_22050' | 'pcm_24000' | 'pcm_44100' | 'pcm_48000';

export type AgentMode = 'echo' | 'scripted';

export type JsonObject = Record<string, unknown>;

/** `conversation_initiation_client_data` as sent on the WebSocket (fields at the top level, §1.3). */
export interface ClientInitiationData {
  type: 'conversation_initiation_client_data';
  conversation_config_override?: {
    agent?: { first_message?: string; language?: string; prompt?: { prompt?: string; llm?: string } };
    tts?: JsonObject;
    asr?: JsonObject;
    conversation?: { text_only?: boolean; client_events?: string[] };
  };
  custom_llm_extra_body?: JsonObject;
  dynamic_variables?: Record<string, string | number | boolean>;
  user_id?: string;
  source_info?: { source?: string; version?: string };
  [key: string]: unknown;
}

export interface ClientToolCallSpec {
  tool_name: string;
  parameters?: JsonObject;
  /** Default: a random `toolu_…` id. */
  tool_call_id?: string;
  /** Wait for the matching `client_tool_result` before the next step (default true). */
  waitForResult?: boolean;
}

/**
 * One turn of a scripted agent. Steps run in this order, each only if present:
 * waitMs → waitForUserAudioMs → waitForUserMessage → userTranscript → agentResponse (+ audio)
 * → interruption (+ stale audio) → correction → clientToolCall (→ wait for result) → endConversation.
 */
export interface ScriptTurn {
  waitMs?: number;
  /** Wait until this much user audio arrived since the turn started (μ-law 8 kHz = 8 bytes/ms). */
  waitForUserAudioMs?: number;
  /** Wait for the next `user_message`. */
  waitForUserMessage?: boolean;
  userTranscript?: string;
  /** `{{var}}` placeholders are filled from the dynamic variables. */
  agentResponse?: string;
  /** Length of the generated agent audio (default 200 ms). */
  agentAudioMs?: number;
  /** Send an `interruption` then `staleAudioChunks` audio chunks carrying an older event_id. */
  interruption?: boolean | { staleAudioChunks?: number };
  correction?: { original?: string; corrected: string };
  clientToolCall?: ClientToolCallSpec;
  /** Close the socket (default code 1000). */
  endConversation?: boolean | { code?: number; reason?: string };
}

export type TextReplyFn = (userText: string, conversation: ConversationRecord) => string | Promise<string>;

export interface AgentConfig {
  /** Default: 'scripted' when `script` is given, else 'echo'. Echo agents never send a first message. */
  mode?: AgentMode;
  name?: string;
  /** Private agent (`platform_settings.auth.enable_auth`): the socket needs a signed-URL token. */
  requiresAuth?: boolean;
  /** Sent as agent_response + audio right after the metadata; an override may replace it. */
  firstMessage?: string | null;
  script?: ScriptTurn[];
  userInputAudioFormat?: AudioFormat;
  agentOutputAudioFormat?: AudioFormat;
  /** Default 2000; 0 disables pings. */
  pingIntervalMs?: number;
  /** Unanswered pings tolerated before the conversation is closed (default 10). */
  maxMissedPongs?: number;
  /** How long to wait for the optional `conversation_initiation_client_data` (default 500). */
  initiationTimeoutMs?: number;
  /** Size of generated agent audio chunks (default 20 ms = 160 μ-law bytes). */
  audioChunkMs?: number;
  /** Delay between generated agent audio chunks; 0 = burst (default). */
  audioChunkIntervalMs?: number;
  /** Text-only conversations even without the override. */
  textOnly?: boolean;
  textReply?: TextReplyFn;
  /** Dynamic variables the agent's prompt needs; missing ones fail the initiation (1008). */
  requiredDynamicVariables?: string[];
  /** What to do with `conversation_config_override` (docs: error; users report: silently ignored). */
  overridePolicy?: 'allow' | 'reject' | 'ignore';
  /** How long a scripted tool call waits for `client_tool_result` (default 10000). */
  toolResultTimeoutMs?: number;
  /** Keep every received `user_audio_chunk` string (memory heavy; default false). */
  recordAudioPayloads?: boolean;
  /** Replaces parts of the analysis reported by GET conversations/{id} and webhooks. */
  analysis?: Partial<ConversationAnalysis>;
}

export interface FakeFaults {
  signedUrlDelayMs?: number;
  /** Answer get-signed-url with this HTTP status and an error JSON. */
  signedUrlStatus?: number;
  /** Announce another format in the metadata (true = 'pcm_16000'). */
  wrongAudioFormat?: boolean | AudioFormat;
  /** Destroy the TCP socket (no close frame) this long after the socket opened. */
  dropAfterMs?: number;
  /** Destroy the TCP socket when this many client messages (audio included) have been received. */
  dropAfterMessages?: number;
  /** Send an `error` event then close (default code 1011, error_type 'llm_error', right after the metadata). */
  errorEvent?: boolean | { afterMs?: number; code?: number; message?: string; error_type?: string };
  /** Refuse the WebSocket upgrade with this HTTP status (true = 503). */
  rejectWebSocket?: boolean | number;
}

export interface PostCallWebhookConfig {
  url: string;
  secret: string;
  /** Default ['transcript']. */
  events?: Array<'transcript' | 'audio'>;
}

export interface FakeElevenLabsOptions {
  port?: number;
  host?: string;
  /** Accepted `xi-api-key` values; empty or absent = any non-empty key. */
  apiKeys?: string[];
  agents?: Record<string, AgentConfig>;
  /** Used for agent ids not in `agents`. With neither `agents` nor `defaultAgent`, every id is an echo agent. */
  defaultAgent?: AgentConfig;
  faults?: FakeFaults;
  /** Lifetime of a signed-URL token (default 15 min, §1.1). */
  signedUrlTtlMs?: number;
  /** Sent automatically when a conversation ends, like the workspace post-call webhook (§2.1). */
  postCallWebhook?: PostCallWebhookConfig;
}

export type ConversationState = 'connecting' | 'open' | 'closed';
export type ConversationStatus = 'initiated' | 'in-progress' | 'processing' | 'done' | 'failed';
export type ClosedBy = 'server' | 'server-abrupt' | 'client';

export interface TranscriptToolCall {
  type: 'client';
  request_id: string;
  tool_name: string;
  params_as_json: string;
  tool_has_been_called: boolean;
  tool_details: { type: 'client'; parameters: string };
}

export interface TranscriptToolResult {
  type: 'client';
  request_id: string;
  tool_name: string;
  result_value: string;
  is_error: boolean;
  tool_has_been_called: boolean;
  tool_latency_secs: number;
}

/** `ConversationHistoryTranscriptResponseModel` subset (js-sdk wire names). */
export interface TranscriptEntry {
  role: 'user' | 'agent';
  message: string | null;
  time_in_call_secs: number;
  tool_calls?: TranscriptToolCall[];
  tool_results?: TranscriptToolResult[];
  interrupted?: boolean;
  original_message?: string | null;
  source_medium?: 'audio' | 'text';
}

export interface ConversationAnalysis {
  call_successful: 'success' | 'failure' | 'unknown';
  transcript_summary: string;
  call_summary_title?: string;
  data_collection_results: Record<string, JsonObject>;
  evaluation_criteria_results: Record<string, JsonObject>;
}

export interface ClientToolResultRecord {
  tool_call_id: string;
  result: unknown;
  is_error: boolean;
  receivedAtMs: number;
}

/** Everything the fake knows about one conversation; inspect it from tests. */
export interface ConversationRecord {
  conversationId: string;
  agentId: string;
  agentName?: string;
  state: ConversationState;
  status: ConversationStatus;
  startedAtMs: number;
  openedAtMs?: number;
  endedAtMs?: number;
  closedBy?: ClosedBy;
  closeCode?: number;
  closeReason?: string;
  terminationReason?: string;
  usedSignature: boolean;
  /** Query parameters of the upgrade request (source, version, …). */
  query: Record<string, string>;
  initiation?: ClientInitiationData;
  textOnly: boolean;
  announcedFormats: { user_input_audio_format: AudioFormat; agent_output_audio_format: AudioFormat };
  receivedMessageCount: number;
  receivedAudioChunks: number;
  receivedAudioBytes: number;
  /** Only filled with `recordAudioPayloads`. */
  receivedAudioPayloads: string[];
  /** Every parsed non-audio client message, in order. */
  messages: JsonObject[];
  sentMessageCount: number;
  sentAudioChunks: number;
  /** Every sent event except `audio` and `ping`. */
  sentEvents: JsonObject[];
  pingsSent: number;
  pongLatenciesMs: number[];
  toolResults: ClientToolResultRecord[];
  transcript: TranscriptEntry[];
  errors: JsonObject[];
}

export interface SignedUrlRequestRecord {
  agentId: string | null;
  apiKey: string | undefined;
  status: number;
  atMs: number;
}

export interface RegisteredCallRecord {
  agent_id: string;
  from_number: string;
  to_number: string;
  direction: 'inbound' | 'outbound';
  conversation_initiation_client_data?: JsonObject;
  apiKey: string;
  twiml: string;
  atMs: number;
}

export interface RejectedConnectionRecord {
  agentId: string | null;
  httpStatus?: number;
  closeCode?: number;
  reason: string;
  atMs: number;
}

export interface WebhookDeliveryResult {
  status: number;
  body: string;
  rawBody: string;
  signatureHeader: string;
}

export interface WebhookDeliveryRecord {
  type: string;
  conversationId: string;
  status?: number;
  error?: string;
  atMs: number;
}
