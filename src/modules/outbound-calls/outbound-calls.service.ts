import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { maskPhone } from '../../common/logging/redaction.js';
import { toE164 } from '../../common/phone/phone-number.js';
import type { Call } from '../calls/call.entity.js';
import { CallsRepository } from '../calls/calls.repository.js';
import { OutboundCallQueueRepository } from '../calls/outbound-call-queue.repository.js';
import { LeadsRepository } from '../leads/leads.repository.js';
import { TwilioCredentialsService } from '../provider-clients/twilio-credentials.service.js';
import { EVENT_BUS, type EventBus } from '../realtime/event-bus.port.js';
import type { Tenant } from '../tenants/tenant.entity.js';
import { PhoneNumbersRepository, type CallerId } from '../tenants/phone-numbers.repository.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { isWithinBusinessHours } from '../../common/domain/business-hours.js';
import { QuotaService } from '../usage/quota.service.js';
import type { OutboundCallDto } from './dto/outbound-call.dto.js';
import { OutboundCallsException as Err, OutboundCallsExceptionCode as Code } from './outbound-calls.exception.js';
import { OutboundDispatcherService } from './outbound-dispatcher.service.js';
import { machineDetectionMode, type OutboundOverrides } from './outbound-rules.js';

export interface OutboundRequester {
  tenantId: string;
  isAdmin: boolean;
}

/**
 * `POST /api/calls/outbound`: validates the request (target, opt-out, hours, quotas) and queues
 * the call (status `queued`, no CallSid yet). The dispatcher places it with Twilio at the
 * account's rate; Twilio then fetches our own voice webhook, which serves it like an inbound call.
 */
@Injectable()
export class OutboundCallsService {
  private readonly logger = new Logger(OutboundCallsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tenants: TenantsService,
    private readonly numbers: PhoneNumbersRepository,
    private readonly leads: LeadsRepository,
    private readonly calls: CallsRepository,
    private readonly queue: OutboundCallQueueRepository,
    private readonly credentials: TwilioCredentialsService,
    private readonly quotas: QuotaService,
    private readonly dispatcher: OutboundDispatcherService,
    @Inject(EVENT_BUS) private readonly events: EventBus,
  ) {}

  async request(who: OutboundRequester, dto: OutboundCallDto, now = new Date()): Promise<Call> {
    if (dto.force && !who.isAdmin) throw new Err(Code.FORCE_ADMIN_ONLY, 'force (calling outside business hours) needs the admin key');
    const tenant = await this.tenants.get(who.tenantId);
    if (tenant.status !== 'active') throw new Err(Code.TENANT_SUSPENDED, 'The tenant is suspended: no outbound calls');
    const to = await this.target(tenant.id, dto);
    const callerId = await this.callerId(tenant.id, dto.from);
    const agentId = callerId.agentId ?? tenant.settings?.agent?.agentId ?? null;
    if (!agentId) throw new Err(Code.AGENT_NOT_CONFIGURED, 'No ElevenLabs agent is configured for this tenant or number');
    if (!dto.force && !isWithinBusinessHours(tenant.settings?.businessHours, tenant.timezone, now)) {
      throw new Err(Code.OUT_OF_HOURS, "Outside the tenant's business hours (the admin key may pass force: true)");
    }
    const { accountSid } = await this.credentials.credentialsForTenant(tenant.id);
    const overrides: OutboundOverrides = {
      ...(dto.dynamicVariables ? { dynamicVariables: dto.dynamicVariables } : {}),
      ...(dto.firstMessage ? { firstMessage: dto.firstMessage } : {}),
      ...(dto.prompt ? { prompt: dto.prompt } : {}),
      ...(machineDetectionMode(dto.machineDetection) ? { machineDetection: machineDetectionMode(dto.machineDetection) } : {}),
    };
    const call = await this.dataSource.transaction(async (manager) => {
      // The same per-tenant lock as inbound admissions: the concurrent-call quota holds across both.
      await this.calls.lockTenantAdmission(manager, tenant.id);
      await this.assertQuotas(manager, tenant, now);
      const lead = await this.leads.findOrCreateByPhone(tenant.id, to, manager);
      if (lead.optedOutAt) throw new Err(Code.LEAD_OPTED_OUT, 'This lead has opted out of contact');
      return this.queue.enqueue(manager, {
        tenantId: tenant.id,
        leadId: lead.id,
        phoneNumberId: callerId.phoneNumberId,
        accountSid,
        from: callerId.e164,
        to,
        routingMode: tenant.settings?.routingMode ?? 'bridge',
        agentId,
        options: overrides,
        requestedBy: who.isAdmin ? 'admin' : 'tenant',
      });
    });
    this.logger.log({ callId: call.id, tenantId: tenant.id, to: maskPhone(to) }, 'Outbound call queued');
    void this.events.publish({
      tenantId: tenant.id,
      type: 'call.status',
      callId: call.id,
      leadId: call.leadId,
      data: { callId: call.id, status: 'queued', direction: 'outbound' },
    });
    this.dispatcher.kick();
    return call;
  }

  private async target(tenantId: string, dto: OutboundCallDto): Promise<string> {
    if (dto.leadId) {
      const lead = await this.leads.findById(tenantId, dto.leadId);
      if (!lead) throw new Err(Code.LEAD_NOT_FOUND, 'Lead not found');
      if (lead.optedOutAt) throw new Err(Code.LEAD_OPTED_OUT, 'This lead has opted out of contact');
      return lead.phoneE164;
    }
    if (!dto.to) throw new Err(Code.TARGET_REQUIRED, 'Give either to (E.164 number) or leadId');
    const e164 = toE164(dto.to);
    if (!e164) throw new Err(Code.INVALID_NUMBER, 'to must be a valid phone number in E.164 format');
    return e164;
  }

  /** The caller ID must be one of the tenant's own voice numbers (Twilio refuses others anyway). */
  private async callerId(tenantId: string, from: string | undefined): Promise<CallerId> {
    let e164: string | undefined;
    if (from) {
      e164 = toE164(from);
      if (!e164) throw new Err(Code.INVALID_NUMBER, 'from must be a valid phone number in E.164 format');
    }
    const callerId = await this.numbers.findCallerId(tenantId, e164 ?? null);
    if (!callerId) throw new Err(Code.NO_CALLER_ID, from ? "from is not one of this tenant's voice numbers" : 'The tenant has no voice number to call from');
    return callerId;
  }

  private async assertQuotas(manager: EntityManager, tenant: Tenant, now: Date): Promise<void> {
    const concurrent = await this.quotas.check(tenant.id, 'concurrentCalls', { manager, now });
    if (!concurrent.allowed)
      throw new Err(Code.CONCURRENCY_QUOTA, `Concurrent-call quota reached (${concurrent.used} of ${concurrent.limit} lines in use): try again later`);
    // Calls still in our queue are not counted in usage yet (they are when Twilio accepts them).
    const pending = await this.queue.countQueued(manager, tenant.id);
    const outbound = await this.quotas.check(tenant.id, 'outboundCalls', { manager, now, pending });
    if (!outbound.allowed) throw new Err(Code.OUTBOUND_QUOTA, `Monthly outbound-call quota reached (${outbound.used} of ${outbound.limit})`);
    const minutes = await this.quotas.check(tenant.id, 'voiceMinutes', { manager, now });
    if (!minutes.allowed) throw new Err(Code.MINUTES_QUOTA, `Monthly voice-minutes quota reached (${minutes.used} of ${minutes.limit})`);
  }
}
