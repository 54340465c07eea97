import { randomBytes } from 'node:crypto';
import type { ConversationAnalysis, ConversationRecord, JsonObject, TranscriptEntry } from './fake-elevenlabs-types.js';

// Builds the `GetConversationResponseModel` wire shape (js-sdk serialization, protocol notes §2.1),
// which is also the `data` of the post_call_transcription webhook.

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/** Ids shaped like the real ones (`conv_` + 26 lowercase base32 characters). */
export function newConversationId(prefix = 'conv'): string {
  const bytes = randomBytes(26);
  let id = '';
  for (const b of bytes) id += CROCKFORD[b & 31];
  return `${prefix}_${id}`;
}

export function defaultAnalysis(transcript: TranscriptEntry[]): ConversationAnalysis {
  const firstUser = transcript.find((t) => t.role === 'user' && t.message)?.message;
  return {
    call_successful: 'success',
    transcript_summary: firstUser
      ? `The caller asked: "${firstUser}". The agent answered and the call ended normally.`
      : 'The agent greeted the caller and the call ended normally.',
    call_summary_title: 'Customer enquiry',
    data_collection_results: {
      customer_intent: {
        data_collection_id: 'customer_intent',
        value: firstUser ? 'pricing_enquiry' : 'unknown',
        json_schema: { type: 'string', description: 'What the caller wanted' },
        rationale: 'Derived from the first user turn.',
      },
    },
    evaluation_criteria_results: {
      resolved_enquiry: {
        criteria_id: 'resolved_enquiry',
        result: 'success',
        rationale: 'The agent answered the question.',
      },
    },
  };
}

function statusOf(record: ConversationRecord): ConversationRecord['status'] {
  return record.state === 'closed' ? record.status : record.state === 'open' ? 'in-progress' : 'initiated';
}

export function buildConversationDetails(record: ConversationRecord, analysis?: Partial<ConversationAnalysis>): JsonObject {
  const endMs = record.endedAtMs ?? Date.now();
  const initiation = record.initiation;
  const hasAudio = !record.textOnly && (record.receivedAudioChunks > 0 || record.sentAudioChunks > 0);
  return {
    agent_id: record.agentId,
    agent_name: record.agentName ?? null,
    conversation_id: record.conversationId,
    status: statusOf(record),
    user_id: initiation?.user_id ?? null,
    has_audio: hasAudio,
    has_user_audio: !record.textOnly && record.receivedAudioChunks > 0,
    has_response_audio: !record.textOnly && record.sentAudioChunks > 0,
    has_auxiliary_audio: false,
    transcript: record.transcript.map((t) => ({ ...t })),
    metadata: {
      start_time_unix_secs: Math.floor(record.startedAtMs / 1000),
      accepted_time_unix_secs: Math.floor((record.openedAtMs ?? record.startedAtMs) / 1000),
      call_duration_secs: Math.max(0, Math.round((endMs - record.startedAtMs) / 1000)),
      cost: Math.max(1, Math.round((endMs - record.startedAtMs) / 100)),
      termination_reason: record.terminationReason ?? '',
      error: record.status === 'failed' ? { code: record.closeCode ?? 1011, reason: record.closeReason ?? null } : null,
      main_language: 'en',
      text_only: record.textOnly,
      conversation_initiation_source: 'unknown',
    },
    analysis: record.state === 'closed' ? { ...defaultAnalysis(record.transcript), ...(analysis ?? {}) } : null,
    conversation_initiation_client_data: {
      conversation_config_override: initiation?.conversation_config_override ?? null,
      custom_llm_extra_body: initiation?.custom_llm_extra_body ?? {},
      user_id: initiation?.user_id ?? null,
      source_info: initiation?.source_info ?? null,
      dynamic_variables: {
        ...(initiation?.dynamic_variables ?? {}),
        system__agent_id: record.agentId,
        system__conversation_id: record.conversationId,
        system__call_duration_secs: Math.max(0, Math.round((endMs - record.startedAtMs) / 1000)),
        system__time_utc: new Date(record.startedAtMs).toISOString(),
      },
    },
  };
}
