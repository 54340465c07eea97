import { Injectable, Logger } from '@nestjs/common';
import { OutboundCallQueueRepository } from '../calls/outbound-call-queue.repository.js';
import type { ContextOptions } from '../leads/conversation-context.service.js';
import { LeadsRepository } from '../leads/leads.repository.js';
import { isMachine, machineAction } from '../outbound-calls/outbound-rules.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { AcceptedCallAnswerService } from './accepted-call-answer.service.js';
import type { VoiceWebhookParams } from '../twilio-kit/twilio-webhook.dto.js';
import type { TwilioAccountContext } from '../twilio-kit/twilio-request.js';
import { hangupTwiml } from '../twilio-kit/voice-twiml.js';

/**
 * The voice webhook of a call we placed (Direction=outbound-api): the call row exists already
 * (found by the CallSid the dispatcher stored), the callee was checked when the call was queued,
 * so none of the inbound admission checks apply. The stored overrides reach the context; with
 * machine detection, `AnsweredBy` decides between hanging up and leaving a voicemail.
 */
@Injectable()
export class OutboundCallAnswerService {
  private readonly logger = new Logger(OutboundCallAnswerService.name);

  constructor(
    private readonly queue: OutboundCallQueueRepository,
    private readonly tenants: TenantsService,
    private readonly leads: LeadsRepository,
    private readonly answers: AcceptedCallAnswerService,
  ) {}

  async answer(params: VoiceWebhookParams, account: TwilioAccountContext): Promise<string> {
    const call = await this.queue.findBySid(params.CallSid, account.accountSid ?? params.AccountSid);
    if (!call) {
      // Not a call we placed (or placed by another system on the account): nothing to say to the callee.
      this.logger.warn({ callSid: params.CallSid }, 'Outbound voice webhook for an unknown call: hanging up');
      return hangupTwiml();
    }
    const tenant = await this.tenants.get(call.tenantId);
    const overrides = call.metadata.outbound ?? {};
    const options: ContextOptions = { extraVariables: overrides.dynamicVariables, firstMessage: overrides.firstMessage, prompt: overrides.prompt };
    if (isMachine(params.AnsweredBy)) {
      const action = machineAction(tenant.settings);
      await this.queue.recordAnswer(call.id, {
        answeredBy: params.AnsweredBy,
        machineAction: action.action,
        disposition: action.action === 'hangup' ? 'machine_hangup' : 'voicemail',
      });
      if (action.action === 'hangup') return hangupTwiml();
      options.firstMessage = action.message;
    } else if (params.AnsweredBy) {
      await this.queue.recordAnswer(call.id, { answeredBy: params.AnsweredBy });
    }
    // Kept on the call: the media stream may land on another instance, which builds the context there.
    await this.queue.keepContextOptions(call.id, options);
    const lead = call.leadId ? await this.leads.findById(call.tenantId, call.leadId) : null;
    return this.answers.answer(tenant, call, lead, params, options);
  }
}
