import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CallConversationsRepository, type MatchedBy } from '../../calls/call-conversations.repository.js';
import type { Call } from '../../calls/call.entity.js';
import type { CorrelationKeys } from './post-call-payload.js';

export type { MatchedBy } from '../../calls/call-conversations.repository.js';

/**
 * Finds our call for an ElevenLabs event, in the contract's order: calls.conversation_id (stored
 * by the media bridge), then our call id passed at initiation (user_id or the switchboard_call_id
 * variable), then the Twilio CallSid ElevenLabs reports for calls it carried itself. The tenant is
 * always the call's, never anything in the event. The calls module reads and writes the rows.
 */
@Injectable()
export class CallCorrelator {
  constructor(private readonly calls: CallConversationsRepository) {}

  find(manager: EntityManager, keys: CorrelationKeys, lock: boolean): Promise<{ call: Call; by: MatchedBy } | null> {
    return this.calls.find(manager, keys, lock);
  }

  /** Records the conversation id on a call matched another way, unless another call already has it. */
  claimConversation(manager: EntityManager, call: Call, conversationId: string): Promise<void> {
    return this.calls.claimConversation(manager, call, conversationId);
  }
}
