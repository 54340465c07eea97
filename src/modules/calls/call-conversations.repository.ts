import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { rowsOf } from '../../database/sql-row.js';
import type { AiConversationRecord, AiRecordingRef, CallMetadata } from './call-state.js';
import { Call, type CallStatus } from './call.entity.js';

/** How an ElevenLabs event names its call (post-call-payload.ts reads them off the event). */
export interface ConversationKeys {
  conversationId: string;
  /** calls.id candidates (user_id, the switchboard_call_id variable). */
  callIds: string[];
  twilioCallSid?: string;
}

export type MatchedBy = 'conversation_id' | 'call_id' | 'twilio_call_sid';

/** The authoritative post-call record of one conversation, as it lands on the call. */
export interface AiConversationResult {
  leadId: string | null;
  summary: string | null;
  analysis: Record<string, unknown>;
  /** Every conversation of the call so far (a reconnect may give one call two), with its totals. */
  conversations: Record<string, AiConversationRecord>;
  aiDurationSecs: number;
  aiCost: number;
  status: string | null;
  /** A call ElevenLabs carried natively hears no Twilio status callbacks: the transcript is its end. */
  nativeEnd?: { endedAt: Date; durationSecs: number };
}

export interface InitiationFailure {
  status: CallStatus;
  failureReason: string;
  endedAt: Date;
  sipResponseCode: number | null;
}

/**
 * The statement fragment (a CTE body) that gives a natively carried ElevenLabs call its row, for
 * the initiation webhook's one-statement admission: `$call` names its parameters, `source` the
 * rows that pass (e.g. `decision WHERE decision.outcome = 'answered'`). An existing row (a
 * register-call call made by the voice webhook) keeps its values and gains the lead and agent it
 * lacked. Returns `id, tenant_id`.
 */
export function upsertNativeCallSql(
  p: { tenantId: string; leadId: string; phoneNumberId: string; callSid: string; from: string; to: string; agentId: string },
  source: string,
): string {
  return `INSERT INTO calls (tenant_id, lead_id, phone_number_id, twilio_call_sid, direction, from_number, to_number, status, routing_mode, agent_id, answered_at)
         SELECT ${p.tenantId}, ${p.leadId}, ${p.phoneNumberId}, ${p.callSid}, 'inbound', ${p.from}, ${p.to}, 'in-progress', 'native', ${p.agentId}, now() FROM ${source}
         ON CONFLICT (twilio_call_sid) WHERE twilio_call_sid IS NOT NULL
         DO UPDATE SET lead_id = COALESCE(calls.lead_id, EXCLUDED.lead_id), agent_id = COALESCE(calls.agent_id, EXCLUDED.agent_id), updated_at = now()
         RETURNING id, tenant_id`;
}

/**
 * The call side of ElevenLabs' webhooks: finding the call an event is about, linking its
 * conversation, and recording what the post-call webhooks say. Methods take the handler's
 * EntityManager where the handler writes other tables in the same transaction.
 */
@Injectable()
export class CallConversationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The call, in the contract's order: calls.conversation_id (stored by the media bridge), then our
   * call id passed at initiation, then the Twilio CallSid ElevenLabs reports for calls it carried
   * itself. `lock` holds the row until the caller's transaction ends.
   */
  async find(manager: EntityManager, keys: ConversationKeys, lock: boolean): Promise<{ call: Call; by: MatchedBy } | null> {
    const calls = manager.getRepository(Call);
    const options = lock ? { lock: { mode: 'pessimistic_write' as const } } : {};
    const byConversation = await calls.findOne({ where: { conversationId: keys.conversationId }, ...options });
    if (byConversation) return { call: byConversation, by: 'conversation_id' };
    for (const id of keys.callIds) {
      const call = await calls.findOne({ where: { id }, ...options });
      if (call) return { call, by: 'call_id' };
    }
    if (keys.twilioCallSid) {
      const call = await calls.findOne({ where: { twilioCallSid: keys.twilioCallSid }, ...options });
      if (call) return { call, by: 'twilio_call_sid' };
    }
    return null;
  }

  /** Records the conversation id on a call matched another way, unless another call already has it. */
  async claimConversation(manager: EntityManager, call: Call, conversationId: string): Promise<void> {
    if (call.conversationId) return;
    const rows = rowsOf(
      await manager.query(
        `UPDATE calls SET conversation_id = $1, updated_at = now()
         WHERE id = $2 AND conversation_id IS NULL AND NOT EXISTS (SELECT 1 FROM calls WHERE conversation_id = $1) RETURNING id`,
        [conversationId, call.id],
      ),
    );
    if (rows.length > 0) call.conversationId = conversationId;
  }

  /** The conversation's audio, stored under the call's tenant. */
  async attachAiRecording(callId: string, recording: AiRecordingRef): Promise<void> {
    await this.dataSource.query(`UPDATE calls SET metadata = metadata || jsonb_build_object('aiRecording', $2::jsonb), updated_at = now() WHERE id = $1`, [
      callId,
      JSON.stringify(recording),
    ]);
  }

  /** ElevenLabs could not start the conversation: the call ends with its reason (first values kept). */
  async recordInitiationFailure(manager: EntityManager, call: Call, failure: InitiationFailure): Promise<void> {
    await manager.update(
      Call,
      { id: call.id },
      {
        status: failure.status,
        failureReason: failure.failureReason,
        endedAt: call.endedAt ?? failure.endedAt,
        sipResponseCode: call.sipResponseCode ?? failure.sipResponseCode,
      },
    );
    Object.assign(call, { status: failure.status, failureReason: failure.failureReason });
  }

  /** Applies a post-call transcription to the call (and the loaded entity), in the handler's transaction. */
  async recordAiConversation(manager: EntityManager, call: Call, result: AiConversationResult): Promise<void> {
    const facts: CallMetadata = { aiConversations: result.conversations, aiConversationStatus: result.status };
    const end = result.nativeEnd ?? null;
    await manager.query(
      `UPDATE calls SET lead_id = $2, summary = $3, analysis = $4::jsonb, ai_duration_secs = $5, ai_cost = $6, metadata = metadata || $7::jsonb,
         status = CASE WHEN $8::boolean THEN 'completed' ELSE status END,
         ended_at = CASE WHEN $8::boolean THEN $9::timestamptz ELSE ended_at END,
         duration_secs = CASE WHEN $8::boolean THEN $10::int ELSE duration_secs END,
         updated_at = now()
       WHERE id = $1`,
      [
        call.id,
        result.leadId,
        result.summary,
        JSON.stringify(result.analysis),
        result.aiDurationSecs,
        result.aiCost.toFixed(4),
        JSON.stringify(facts),
        end !== null,
        end?.endedAt ?? null,
        end?.durationSecs ?? null,
      ],
    );
    Object.assign(call, {
      leadId: result.leadId,
      summary: result.summary,
      analysis: result.analysis,
      aiDurationSecs: result.aiDurationSecs,
      aiCost: result.aiCost.toFixed(4),
      metadata: { ...call.metadata, ...facts },
      ...(end ? { status: 'completed', endedAt: end.endedAt, durationSecs: end.durationSecs } : {}),
    });
  }
}
