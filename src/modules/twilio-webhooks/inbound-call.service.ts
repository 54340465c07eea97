import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DeadlineExceededError, withDeadline } from '../../common/async/deadline.js';
import { AuditService } from '../../common/audit/audit.service.js';
import { maskPhone } from '../../common/logging/redaction.js';
import { MetricsService } from '../../common/metrics/metrics.service.js';
import { parseTwilioAddress, toE164 } from '../../common/phone/phone-number.js';
import type { Call } from '../calls/call.entity.js';
import { CallsRepository } from '../calls/calls.repository.js';
import { LeadsRepository } from '../leads/leads.repository.js';
import type { Lead } from '../leads/lead.entity.js';
import { EVENT_BUS, type EventBus } from '../realtime/event-bus.port.js';
import type { Tenant } from '../tenants/tenant.entity.js';
import { UsageService } from '../usage/usage.service.js';
import { admissionNeeds, CallDisposition, decideAdmission, DEFAULT_MESSAGES, mayHandOff, refusalMessage } from './domain/call-admission.js';
import type { VoiceWebhookParams } from '../twilio-kit/twilio-webhook.dto.js';
import type { TwilioAccountContext } from '../twilio-kit/twilio-request.js';
import { AcceptedCallAnswerService } from './accepted-call-answer.service.js';
import { OutboundCallAnswerService } from './outbound-call-answer.service.js';
import { NumberRoute, TenantRoutingService } from './tenant-routing.service.js';
import { sayThenHandOffTwiml } from '../twilio-kit/voice-twiml.js';

export interface VoiceAnswer {
  twiml: string;
}

interface RecordedCall {
  call: Call;
  lead: Lead | null;
  inserted: boolean;
}

/**
 * The incoming-call webhook: find the tenant by the number dialled, decide whether the call may
 * reach the agent (status, hours, quotas), record the call and its lead in one transaction
 * (idempotent on CallSid), then answer. Any failure answers the fallback TwiML, never a 500.
 */
@Injectable()
export class InboundCallService {
  private readonly logger = new Logger(InboundCallService.name);
  private readonly outcomes;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly routing: TenantRoutingService,
    private readonly calls: CallsRepository,
    private readonly leads: LeadsRepository,
    private readonly usage: UsageService,
    private readonly answers: AcceptedCallAnswerService,
    private readonly outbound: OutboundCallAnswerService,
    private readonly audit: AuditService,
    @Inject(EVENT_BUS) private readonly events: EventBus,
    metrics: MetricsService,
  ) {
    this.outcomes = metrics.counter('twilio_inbound_calls_total', 'Incoming-call webhooks by outcome', ['outcome']);
  }

  /**
   * `budgetMs`: what is left of the webhook's deadline. Past it the caller hears the fallback while
   * the work finishes (or fails) unobserved: every write is idempotent on CallSid.
   */
  async answer(params: VoiceWebhookParams, account: TwilioAccountContext, requestId: string, budgetMs = Infinity): Promise<VoiceAnswer> {
    const to = toE164(params.To) as string; // validated by the DTO
    if (account.degraded) return this.fallback(to, account, 'degraded');
    const tenant: { id?: string } = {};
    // A call we placed: To is the callee, not one of our numbers; its row exists already.
    const work = params.Direction === 'outbound-api' ? this.answerOutbound(params, account) : this.answerInbound(params, account, to, requestId, tenant);
    try {
      return await withDeadline(work, budgetMs);
    } catch (err) {
      const timedOut = err instanceof DeadlineExceededError;
      this.logger.error(
        { err: timedOut ? err.message : err, callSid: params.CallSid, tenantId: tenant.id },
        timedOut
          ? 'Incoming call not handled within the webhook deadline (database too slow?): answering the fallback'
          : 'Incoming call could not be handled: answering the fallback',
      );
      return this.fallback(to, account, timedOut ? 'timeout' : 'error');
    }
  }

  private async answerInbound(
    params: VoiceWebhookParams,
    account: TwilioAccountContext,
    to: string,
    requestId: string,
    tenant: { id?: string },
  ): Promise<VoiceAnswer> {
    const route = await this.routing.resolve(to);
    tenant.id = route?.tenant.id;
    // A subaccount may only reach its own tenant's numbers.
    const usable = route && route.phoneNumber.voiceEnabled && (!account.tenantId || account.tenantId === route.tenant.id);
    if (!usable) return this.unknownNumber(params, to, account, requestId);
    const recorded = await this.record(route, params);
    return this.reply(route.tenant, recorded, params);
  }

  private async answerOutbound(params: VoiceWebhookParams, account: TwilioAccountContext): Promise<VoiceAnswer> {
    this.outcomes.inc({ outcome: 'outbound' });
    return { twiml: await this.outbound.answer(params, account) };
  }

  private async record(route: NumberRoute, params: VoiceWebhookParams): Promise<RecordedCall> {
    const { tenant, phoneNumber } = route;
    const settings = tenant.settings ?? {};
    const needs = admissionNeeds(settings);
    const caller = parseTwilioAddress(params.From).e164 ?? null;
    // A number may carry its own agent (phone provisioning); otherwise the tenant's agent answers.
    const agentId = phoneNumber.agentId ?? settings.agent?.agentId ?? null;
    const now = new Date();
    const admit = async (manager: EntityManager): Promise<RecordedCall> => {
      let activeCalls: number | undefined;
      let monthVoiceSeconds: number | undefined;
      if (tenant.status === 'active' && needs.activeCalls) {
        // Serialise this tenant's admissions so two simultaneous calls cannot both take the last slot.
        await this.calls.lockTenantAdmission(manager, tenant.id);
        activeCalls = await this.calls.countActive(manager, tenant.id, params.CallSid);
      }
      if (tenant.status === 'active' && needs.monthVoiceSeconds) monthVoiceSeconds = await this.usage.monthVoiceSeconds(tenant.id, now, manager);
      const decision = decideAdmission({ tenantStatus: tenant.status, timezone: tenant.timezone, settings, now, activeCalls, monthVoiceSeconds, agentId });
      // A suspended tenant's callers are not added to its data; everyone else becomes (or is) a lead.
      const lead = tenant.status === 'active' && caller ? await this.leads.findOrCreateByPhone(tenant.id, caller, manager) : null;
      const { call, inserted } = await this.calls.insertInbound(manager, {
        tenantId: tenant.id,
        leadId: lead?.id ?? null,
        phoneNumberId: phoneNumber.id,
        callSid: params.CallSid,
        accountSid: params.AccountSid,
        fromNumber: params.From,
        toNumber: params.To,
        status: decision.accepted ? 'ringing' : 'rejected',
        disposition: decision.accepted ? null : decision.disposition,
        routingMode: settings.routingMode ?? 'bridge',
        agentId,
        countUsage: true,
        at: now,
      });
      return { call, lead, inserted };
    };
    // A concurrent-call quota needs the admission lock and count in one transaction with the insert.
    // Without one, nothing ties the statements together: each is an idempotent upsert (a lead left
    // by a failed call insert is the lead Twilio's retry finds), so they run on their own and the
    // hottest path saves the BEGIN and COMMIT round trips.
    const recorded = tenant.status === 'active' && needs.activeCalls ? await this.dataSource.transaction(admit) : await admit(this.dataSource.manager);
    // Announced as soon as it is answered (a dashboard sees the phone ring before the agent is up):
    // a refused call as call.status (nothing else will announce it), an accepted one as
    // call.incoming; the media bridge's call.started follows once the conversation is live.
    if (recorded.inserted) {
      if (recorded.call.status === 'rejected') this.publishArrival(recorded.call);
      else this.publishIncoming(recorded.call);
    }
    this.outcomes.inc({ outcome: recorded.inserted ? (recorded.call.disposition ?? 'accepted') : 'retry' });
    return recorded;
  }

  private async reply(tenant: Tenant, { call, lead }: RecordedCall, params: VoiceWebhookParams): Promise<VoiceAnswer> {
    if (call.status === 'rejected') {
      // A retried webhook gets the answer the stored decision implies, not a fresh decision.
      const disposition = (call.disposition ?? 'agent_not_configured') as CallDisposition;
      const handoff = mayHandOff(disposition) ? tenant.settings?.handoffNumber : null;
      return { twiml: sayThenHandOffTwiml(refusalMessage(disposition, tenant.settings), handoff) };
    }
    return { twiml: await this.answers.answer(tenant, call, lead, params) };
  }

  private async unknownNumber(params: VoiceWebhookParams, to: string, account: TwilioAccountContext, requestId: string): Promise<VoiceAnswer> {
    this.outcomes.inc({ outcome: 'unknown_number' });
    if (account.tenantId) {
      // Signed by a tenant's own subaccount: the tenant is known even if the number is not.
      const { call, inserted } = await this.calls.insertInbound(this.dataSource.manager, {
        tenantId: account.tenantId,
        leadId: null,
        phoneNumberId: null,
        callSid: params.CallSid,
        accountSid: params.AccountSid,
        fromNumber: params.From,
        toNumber: params.To,
        status: 'rejected',
        disposition: 'unknown_number',
        routingMode: null,
        agentId: null,
        countUsage: false, // the number is not the tenant's: nothing to bill
        at: new Date(),
      });
      if (inserted) this.publishArrival(call);
    } else {
      // No tenant to file a call under: the platform's audit trail keeps the refusal.
      void this.audit.record({
        actorType: 'provider',
        actorId: 'twilio',
        action: 'twilio.call.rejected',
        resourceType: 'call',
        resourceId: params.CallSid,
        outcome: 'denied',
        requestId,
        details: { disposition: 'unknown_number', to: maskPhone(to), accountSid: params.AccountSid },
      });
    }
    this.logger.warn({ callSid: params.CallSid, to: maskPhone(to), tenantId: account.tenantId }, 'Call to a number no tenant has: not in service');
    return { twiml: sayThenHandOffTwiml(DEFAULT_MESSAGES.notInService, null) };
  }

  /** Apology, then the tenant's humans if we know them without the database. */
  private fallback(to: string, account: TwilioAccountContext, outcome: 'error' | 'degraded' | 'timeout'): VoiceAnswer {
    this.outcomes.inc({ outcome });
    const known = this.routing.lastKnownHandoff(to);
    const handoff = known && (!account.tenantId || known.tenantId === account.tenantId) ? known.handoffNumber : null;
    return { twiml: sayThenHandOffTwiml(DEFAULT_MESSAGES.unavailable, handoff) };
  }

  private publishIncoming(call: Call): void {
    this.events
      .publish({
        tenantId: call.tenantId,
        type: 'call.incoming',
        callId: call.id,
        leadId: call.leadId,
        data: { callId: call.id, status: call.status, direction: 'inbound', agentId: call.agentId ?? null },
      })
      .catch((err: unknown) => this.logger.warn({ err, callId: call.id }, 'Could not publish call event'));
  }

  private publishArrival(call: Call): void {
    this.events
      .publish({
        tenantId: call.tenantId,
        type: 'call.status',
        callId: call.id,
        leadId: call.leadId,
        data: { callId: call.id, status: call.status, disposition: call.disposition, direction: 'inbound' },
      })
      .catch((err: unknown) => this.logger.warn({ err, callId: call.id }, 'Could not publish call event'));
  }
}
