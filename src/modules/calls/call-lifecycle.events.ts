import { Injectable, Logger } from '@nestjs/common';
import type { Lead } from '../leads/lead.entity.js';
import type { ConversationContext } from '../leads/conversation-context.service.js';
import type { Tenant } from '../tenants/tenant.entity.js';
import type { Call } from './call.entity.js';

/** A call the voice webhook accepted and is about to hand to the media bridge. */
export interface AcceptedCall {
  call: Call;
  tenant: Tenant;
  lead: Lead | null;
  context: ConversationContext;
}

/**
 * In-process signals between the voice webhook and the media bridge on the same instance (e.g.
 * "start opening the ElevenLabs conversation now, while Twilio sets up the stream"). Listeners
 * must return at once and do their work asynchronously; a stream may also land on another
 * instance, so nothing may depend on having heard the signal.
 */
@Injectable()
export class CallLifecycleEvents {
  private readonly logger = new Logger(CallLifecycleEvents.name);
  private readonly acceptedListeners: Array<(e: AcceptedCall) => void> = [];

  onAccepted(listener: (e: AcceptedCall) => void): void {
    this.acceptedListeners.push(listener);
  }

  emitAccepted(event: AcceptedCall): void {
    for (const listener of this.acceptedListeners) {
      try {
        listener(event);
      } catch (err) {
        this.logger.error({ err, callId: event.call.id }, 'Call-accepted listener failed');
      }
    }
  }
}
