import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Call } from '../../calls/call.entity.js';
import { returningRows } from '../../../database/returning-rows.js';
import type { CorrelationKeys } from './post-call-payload.js';

export type MatchedBy = 'conversation_id' | 'call_id' | 'twilio_call_sid';

/**
 * Finds our call for an ElevenLabs event, in the contract's order: calls.conversation_id (stored
 * by the media bridge), then our call id passed at initiation (user_id or the switchboard_call_id
 * variable), then the Twilio CallSid ElevenLabs reports for calls it carried itself. The tenant is
 * always the call's, never anything in the event.
 */
@Injectable()
export class CallCorrelator {
  async find(manager: EntityManager, keys: CorrelationKeys, lock: boolean): Promise<{ call: Call; by: MatchedBy } | null> {
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
    const rows = returningRows(
      await manager.query(
        `UPDATE calls SET conversation_id = $1, updated_at = now()
       WHERE id = $2 AND conversation_id IS NULL AND NOT EXISTS (SELECT 1 FROM calls WHERE conversation_id = $1) RETURNING id`,
        [conversationId, call.id],
      ),
    );
    if (rows.length > 0) call.conversationId = conversationId;
  }
}
