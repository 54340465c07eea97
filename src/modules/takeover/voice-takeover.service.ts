import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../../common/audit/audit.service.js';
import { toE164 } from '../../common/phone/phone-number.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { ACTIVE_CALL_STATUSES } from '../calls/call-status.js';
import { CallsRepository } from '../calls/calls.repository.js';
import { SessionTokenService } from '../calls/session-token.service.js';
import { MediaBridgeService } from '../media-bridge/media-bridge.service.js';
import { TwilioClientFactory } from '../provider-clients/twilio-client.factory.js';
import { EVENT_BUS, type EventBus } from '../realtime/event-bus.port.js';
import type { TwilioAccountContext } from '../twilio-kit/twilio-request.js';
import { twilioErrorCode } from '../twilio-kit/twilio-error.js';
import { connectStreamTwiml, dialTwiml, hangupTwiml, publicUrl, TWILIO_VOICE_PATHS } from '../twilio-kit/voice-twiml.js';
import type { TransferStartedDto } from './dto/takeover.dto.js';
import { handbackText } from './handback.js';
import { TakeoverException, TakeoverExceptionCode } from './takeover.exception.js';

/**
 * Voice takeover: a cold transfer of a live call to a human (`<Dial action>`), and the hand-back
 * to the AI when the human leg ends with the caller still on the line.
 */
@Injectable()
export class VoiceTakeoverService {
  private readonly logger = new Logger(VoiceTakeoverService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly calls: CallsRepository,
    private readonly twilio: TwilioClientFactory,
    private readonly sessionTokens: SessionTokenService,
    private readonly audit: AuditService,
    @Inject(EVENT_BUS) private readonly events: EventBus,
    private readonly bridge: MediaBridgeService,
  ) {}

  private get dialActionUrl(): string {
    return publicUrl(this.config.publicBaseUrl, TWILIO_VOICE_PATHS.dialAction);
  }

  async transfer(tenantId: string, callId: string, to?: string, reason?: string): Promise<TransferStartedDto> {
    const call = await this.calls.findForTransfer(tenantId, callId);
    if (!call) throw new TakeoverException(TakeoverExceptionCode.CALL_NOT_FOUND, 'Call not found');
    const callSid = call.callSid;
    if (!callSid || !ACTIVE_CALL_STATUSES.includes(call.status))
      throw new TakeoverException(TakeoverExceptionCode.CALL_NOT_LIVE, `The call is not live (status ${call.status})`);
    const target = to !== undefined ? toE164(to) : call.tenantSettings.handoffNumber;
    if (to !== undefined && !target) throw new TakeoverException(TakeoverExceptionCode.INVALID_NUMBER, 'to must be a phone number in E.164 format');
    if (!target) throw new TakeoverException(TakeoverExceptionCode.NO_HANDOFF_NUMBER, 'The tenant has no handoffNumber; pass to');
    // Recorded first: the dial action (which may arrive quickly) reads the transfer's reason.
    await this.calls.recordTransferRequest(tenantId, callId, { to: target, reason: reason ?? null, at: new Date().toISOString(), by: 'api' });
    // The agent's conversation learns why it ends (kept in its transcript and post-call analysis)
    // when this instance bridges the call; the reason is on the call row and the event either way.
    this.bridge.tellAgent(callId, tenantId, `The caller is being transferred to a human colleague${reason ? `: ${reason}` : ''}. The conversation ends here.`);
    const { client } = await this.twilio.forTenant(tenantId);
    try {
      // Redirecting the call ends its <Connect><Stream>: the bridge's session closes with the stream.
      await client.calls(callSid).update({ twiml: dialTwiml(target, this.dialActionUrl) });
    } catch (err) {
      const code = twilioErrorCode(err);
      this.logger.warn({ callId, code }, 'Twilio refused the transfer');
      throw new TakeoverException(TakeoverExceptionCode.TRANSFER_FAILED, `Twilio refused the transfer${code ? ` (error ${code})` : ''}`);
    }
    await this.events.publish({ tenantId, type: 'takeover.started', callId, leadId: call.leadId, data: { channel: 'voice', reason: reason ?? null } });
    return { callId, to: target };
  }

  /** `<Dial action>`: the human leg ended. Hand the caller back to the AI when the tenant allows it. */
  async afterDial(
    params: { CallSid: string; DialCallStatus?: string; CallStatus?: string },
    account: TwilioAccountContext,
    requestId: string,
  ): Promise<string> {
    const call = await this.calls.findForDialAction(params.CallSid, account.tenantId);
    if (!call) return hangupTwiml();
    const dialStatus = params.DialCallStatus ?? 'completed';
    const base = { tenantId: call.tenantId, callId: call.id, leadId: call.leadId };
    // The caller hung up (the parent call is over): nothing to hand back.
    const callerGone = params.CallStatus === 'completed' || params.CallStatus === 'canceled';
    if (callerGone || call.tenantSettings.handBack === false) {
      await this.events.publish({ ...base, type: 'takeover.ended', data: { channel: 'voice', dialCallStatus: dialStatus, handedBackToAi: false } });
      return hangupTwiml();
    }

    // The new stream gets a new single-use token: the hand-back opens the stream's claim again.
    if (!(await this.calls.recordHandback(call.tenantId, call.id, handbackText(dialStatus, call.transferReason)))) return hangupTwiml();
    await this.audit.record({
      actorType: 'provider',
      actorId: account.accountSid,
      tenantId: call.tenantId,
      action: 'call.handback',
      resourceType: 'call',
      resourceId: call.id,
      outcome: 'success',
      requestId,
      details: { dialCallStatus: dialStatus },
    });
    await this.events.publish({ ...base, type: 'takeover.ended', data: { channel: 'voice', handedBackToAi: true, dialCallStatus: dialStatus } });
    return connectStreamTwiml({
      publicBaseUrl: this.config.publicBaseUrl,
      parameters: { sessionToken: this.sessionTokens.issue(params.CallSid, call.tenantId, call.id), callId: call.id },
    });
  }
}
