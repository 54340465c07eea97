import type { ContextOptions } from '../leads/conversation-context.service.js';
import type { RoutingMode } from '../tenants/tenant-settings.types.js';

// The typed parts of a call's state that more than one module reads (issue #14). Columns hold what
// modules decide on (bridge outcome, end reason, transfer target, hand-backs, the outbound queue);
// `calls.metadata` holds the structured rest in one typed shape, CallMetadata. Only the calls
// module writes either, through CallsRepository's named methods.

/**
 * How the call's audio reaches the agent: through our media bridge (`bridge`), through ElevenLabs'
 * own Twilio integration that we registered (`register-call`), or entirely through ElevenLabs'
 * native Twilio integration, where we learn of the call from its initiation webhook (`native`).
 */
export type CallRoutingMode = RoutingMode | 'native';
export const CALL_ROUTING_MODES: readonly CallRoutingMode[] = ['bridge', 'register-call', 'native'];

/**
 * How the media bridge let go of a call (calls.bridge_outcome). Written by the media bridge when
 * the stream ends, read by the `<Connect action>` answer (twilio-webhooks), which switches on it
 * exhaustively: a new outcome does not compile until that answer handles it.
 */
export const BRIDGE_OUTCOMES = ['completed', 'transfer', 'upstream_failed', 'caller_hangup'] as const;
export type BridgeOutcome = (typeof BRIDGE_OUTCOMES)[number];

/** Why the agent's connection failed, as the agent client labels it (also a metrics label). */
export const AGENT_FAILURE_TYPES = [
  'agent_not_configured',
  'connect_timeout',
  'signed_url_failed',
  'context_failed',
  'connect_failed',
  'initiation_rejected',
  'error_event',
  'connection_lost',
  'abnormal_close',
] as const;
export type AgentFailureType = (typeof AGENT_FAILURE_TYPES)[number];

/** Why the bridge ended (calls.bridge_end_reason), one more detail than the outcome. */
export type BridgeEndReason =
  // the agent ended it: its own end, the end_call tool, the transfer tool
  | 'agent_ended'
  | 'agent_end_call'
  | 'agent_transfer'
  // the caller's side: Twilio's stop message, the socket closing (with its close code when not normal)
  | 'twilio_stop'
  | 'stream_closed'
  | `stream_closed_${number}`
  | 'hangup_during_setup'
  // ours: a pre-opened agent the stream never used, a drain on shutdown
  | 'pre_open_unused'
  | 'shutdown'
  // the agent leg failed
  | 'agent_audio_format'
  | 'upstream_failed'
  | AgentFailureType;

/** The outcome a stored value names, or undefined (none recorded, or a value this version does not know). */
export function bridgeOutcomeOf(value: unknown): BridgeOutcome | undefined {
  return BRIDGE_OUTCOMES.find((o) => o === value);
}

export const MACHINE_DETECTION_MODES = ['Enable', 'DetectMessageEnd'] as const;

/** Per-call options of a call we place (POST /api/calls/outbound), applied when Twilio fetches its TwiML. */
export interface OutboundCallOptions {
  dynamicVariables?: Record<string, string | number | boolean>;
  firstMessage?: string;
  prompt?: string;
  machineDetection?: (typeof MACHINE_DETECTION_MODES)[number];
}

/** A transfer to a human asked through the API (the agent's own transfer tool sets only transfer_to). */
export interface TransferRequest {
  to: string;
  reason: string | null;
  at: string;
  by: 'api';
}

/** What a handed-back conversation is told (takeover/handback.ts). */
export interface HandbackNote {
  note: string;
  firstMessage?: string;
}

/** What the call keeps per ElevenLabs conversation (a reconnect may give one call two). */
export interface AiConversationRecord {
  durationSecs: number;
  cost: number;
  status: string | null;
  startedAt: string;
}

export interface AiRecordingRef {
  /** Relative to RECORDINGS_DIR. */
  file: string;
  bytes: number;
  conversationId: string;
  format: 'mp3';
}

export interface TwilioCallError {
  code: number | null;
  status: number | null;
  message: string;
  moreInfo: string | null;
}

/** calls.metadata: every key optional, each written by one CallsRepository method. */
export interface CallMetadata {
  /** Outbound: the caller's options, and who asked (an API key id or `admin`). */
  outbound?: OutboundCallOptions;
  requestedBy?: string;
  /** Outbound, machine answered: what we did. */
  machineAction?: 'hangup' | 'voicemail';
  /** Outbound: Twilio refused to place the call. */
  twilioError?: TwilioCallError;
  /** The conversation context the voice webhook decided, for the instance the stream lands on. */
  contextOptions?: ContextOptions;
  transfer?: TransferRequest;
  /** Set by a hand-back, read by the next stream's claim. */
  handback?: HandbackNote;
  /** Twilio's stream status callback reported an error. */
  streamError?: string;
  /** Post-call: per conversation id, and the last conversation's status. */
  aiConversations?: Record<string, AiConversationRecord>;
  aiConversationStatus?: string | null;
  aiRecording?: AiRecordingRef;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function dynamicVariablesOf(v: unknown): Record<string, string | number | boolean> | undefined {
  if (!isObject(v)) return undefined;
  const out: Record<string, string | number | boolean> = {};
  for (const [k, value] of Object.entries(v)) if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[k] = value;
  return out;
}

/** `value` without its undefined keys (so a stored shape never carries `"key": null` it did not have). */
function compact<T extends object>(value: T): T {
  for (const key in value) if (value[key] === undefined) delete value[key];
  return value;
}

function outboundOf(v: unknown): OutboundCallOptions | undefined {
  if (!isObject(v)) return undefined;
  const machineDetection = MACHINE_DETECTION_MODES.find((m) => m === v.machineDetection);
  return compact({ dynamicVariables: dynamicVariablesOf(v.dynamicVariables), firstMessage: str(v.firstMessage), prompt: str(v.prompt), machineDetection });
}

function contextOptionsOf(v: unknown): ContextOptions | undefined {
  if (!isObject(v)) return undefined;
  return compact({
    extraVariables: dynamicVariablesOf(v.extraVariables),
    firstMessage: str(v.firstMessage),
    prompt: str(v.prompt),
    textOnly: typeof v.textOnly === 'boolean' ? v.textOnly : undefined,
  });
}

function aiConversationsOf(v: unknown): Record<string, AiConversationRecord> | undefined {
  if (!isObject(v)) return undefined;
  const out: Record<string, AiConversationRecord> = {};
  for (const [id, c] of Object.entries(v)) {
    if (!isObject(c)) continue;
    out[id] = { durationSecs: num(c.durationSecs) ?? 0, cost: num(c.cost) ?? 0, status: str(c.status) ?? null, startedAt: str(c.startedAt) ?? '' };
  }
  return out;
}

/**
 * The typed view of a stored calls.metadata value. Keys this version does not know, and known keys
 * of the wrong shape (hand-edited rows), are left out: readers never see an unchecked value.
 */
export function callMetadataOf(value: unknown): CallMetadata {
  if (!isObject(value)) return {};
  const m = value;
  const transfer = isObject(m.transfer) && typeof m.transfer.to === 'string' ? m.transfer : undefined;
  const handback = isObject(m.handback) && typeof m.handback.note === 'string' ? m.handback : undefined;
  const error = isObject(m.twilioError) ? m.twilioError : undefined;
  const recording = isObject(m.aiRecording) && typeof m.aiRecording.file === 'string' ? m.aiRecording : undefined;
  return compact({
    outbound: outboundOf(m.outbound),
    requestedBy: str(m.requestedBy),
    machineAction: m.machineAction === 'hangup' || m.machineAction === 'voicemail' ? m.machineAction : undefined,
    twilioError: error && {
      code: num(error.code) ?? null,
      status: num(error.status) ?? null,
      message: str(error.message) ?? '',
      moreInfo: str(error.moreInfo) ?? null,
    },
    contextOptions: contextOptionsOf(m.contextOptions),
    transfer: transfer && { to: String(transfer.to), reason: str(transfer.reason) ?? null, at: str(transfer.at) ?? '', by: 'api' as const },
    handback: handback && compact({ note: String(handback.note), firstMessage: str(handback.firstMessage) }),
    streamError: str(m.streamError),
    aiConversations: aiConversationsOf(m.aiConversations),
    aiConversationStatus: m.aiConversationStatus === null ? null : str(m.aiConversationStatus),
    aiRecording: recording && {
      file: String(recording.file),
      bytes: num(recording.bytes) ?? 0,
      conversationId: str(recording.conversationId) ?? '',
      format: 'mp3' as const,
    },
  });
}
