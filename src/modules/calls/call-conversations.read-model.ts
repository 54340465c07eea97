/**
 * Read model the calls module publishes (a view, migration TypedCallState): the calls linked to an
 * ElevenLabs conversation, with whether the conversation's transcript has been applied. The post-call
 * reconciler (elevenlabs-webhooks) joins it with its own webhook inbox to find transcripts that
 * never arrived. Columns: id, tenant_id, conversation_id, ended_at, transcript_applied.
 */
export const CALL_CONVERSATIONS_VIEW = 'call_conversations';
