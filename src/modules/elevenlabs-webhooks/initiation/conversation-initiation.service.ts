import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import { maskPhone } from '../../../common/logging/redaction.js';
import { MetricsService } from '../../../common/metrics/metrics.service.js';
import { toE164 } from '../../../common/phone/phone-number.js';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import { ConversationContextService, MAX_CONTEXT_MESSAGES } from '../../leads/conversation-context.service.js';
import { LeadsRepository } from '../../leads/leads.repository.js';
import type { Tenant } from '../../tenants/tenant.entity.js';
import { TenantRoutingService } from '../../twilio-webhooks/tenant-routing.service.js';
import { initiationAnswer, InitiationAnswer, InitiationRequest } from './initiation-request.js';
import { upsertNativeCallSql } from '../../calls/call-conversations.repository.js';
import { firstRow, text, textOrNull } from '../../../database/sql-row.js';

type Outcome = 'answered' | 'unknown_number' | 'unavailable' | 'rate_limited';

/**
 * Answers ElevenLabs' conversation-initiation webhook for calls it carries itself (native numbers,
 * register-call): who is calling, what was said before, and the tenant's agent overrides, from
 * the same ConversationContextService the media bridge uses. On the call-setup path, so the work
 * is a few indexed queries, run in parallel where they do not depend on each other.
 */
@Injectable()
export class ConversationInitiationService {
  private readonly logger = new Logger(ConversationInitiationService.name);
  private readonly outcomes: Counter<'outcome'>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    // The same short-lived number -> tenant cache the voice webhook uses (one per instance).
    private readonly routing: TenantRoutingService,
    private readonly leads: LeadsRepository,
    private readonly context: ConversationContextService,
    metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.outcomes = metrics.counter('elevenlabs_initiations_total', 'Conversation-initiation webhooks answered, by outcome', ['outcome']);
  }

  async answer(request: InitiationRequest): Promise<InitiationAnswer> {
    const called = request.calledNumber ? toE164(request.calledNumber) : undefined;
    const route = called ? await this.routing.resolve(called) : null;
    if (!route) return this.neutral('unknown_number', request);
    const { phoneNumber: number, tenant } = route;
    if (tenant.status !== 'active' || !number.voiceEnabled) return this.neutral('unavailable', request, tenant);

    const callerE164 = toE164(request.callerId);
    // One query for the lead, its last messages and the timeline size; a new number gets its lead.
    const history = callerE164 ? await this.leads.findByPhoneWithHistory(tenant.id, callerE164, MAX_CONTEXT_MESSAGES) : null;
    const lead = history?.lead ?? (callerE164 ? await this.leads.findOrCreateByPhone(tenant.id, callerE164) : null);
    const { admitted, callId } = await this.admitAndRecord(tenant, number.id, lead?.id ?? null, request, called!);
    if (!admitted) return this.neutral('rate_limited', request, tenant);
    const context = this.context.fromHistory(tenant, lead, history?.recent ?? [], history?.total ?? 0);
    this.outcomes.inc({ outcome: 'answered' });
    return initiationAnswer(context.dynamicVariables, context.conversationConfigOverride, callId);
  }

  /**
   * One statement, one commit: applies the per-caller limit (answered initiations of this caller
   * for this tenant within the window, counted in the database so the limit holds across
   * instances; a sliding count, not a lock, so two simultaneous requests at the edge may both
   * pass), logs the initiation, and for an admitted call with a Twilio CallSid upserts the call row
   * ElevenLabs' call gets (native numbers have no Twilio webhook of ours to create one; a
   * register-call call made by the voice webhook keeps its row). The call id travels as the
   * switchboard_call_id variable, which is how the post-call webhook finds the call.
   */
  private async admitAndRecord(
    tenant: Tenant,
    phoneNumberId: string,
    leadId: string | null,
    request: InitiationRequest,
    called: string,
  ): Promise<{ admitted: boolean; callId: string | null }> {
    const { rateLimit, rateWindowSecs } = this.config.elevenlabs.initiation;
    const result: unknown = await this.dataSource.query(
      `WITH decision AS (
         SELECT CASE WHEN $9::int > 0 AND count(*) >= $9::int THEN 'rate_limited' ELSE 'answered' END AS outcome
         FROM conversation_initiations
         WHERE tenant_id = $1 AND caller = $5 AND outcome = 'answered' AND created_at > now() - make_interval(secs => $8)),
       logged AS (
         INSERT INTO conversation_initiations (tenant_id, caller, call_sid, outcome) SELECT $1, $5, $4, outcome FROM decision),
       call AS (
         ${upsertNativeCallSql(
           { tenantId: '$1', leadId: '$2', phoneNumberId: '$3', callSid: '$4', from: '$5', to: '$6', agentId: '$7' },
           `decision WHERE decision.outcome = 'answered' AND $4::text IS NOT NULL`,
         )})
       SELECT decision.outcome, call.id, call.tenant_id FROM decision LEFT JOIN call ON true`,
      [tenant.id, leadId, phoneNumberId, request.twilioCallSid, request.callerId, called, request.agentId, rateWindowSecs, rateLimit],
    );
    const row = firstRow(result, (r) => ({ outcome: text(r, 'outcome'), callId: textOrNull(r, 'id'), tenantId: textOrNull(r, 'tenant_id') }));
    return { admitted: row?.outcome === 'answered', callId: row?.tenantId === tenant.id ? row.callId : null };
  }

  private neutral(outcome: Exclude<Outcome, 'answered'>, request: InitiationRequest, tenant?: Tenant): InitiationAnswer {
    this.outcomes.inc({ outcome });
    const log = { outcome, tenantId: tenant?.id, caller: maskPhone(request.callerId), called: maskPhone(request.calledNumber) };
    if (outcome === 'rate_limited') this.logger.warn(log, 'Conversation initiation over the per-caller limit: neutral answer');
    else this.logger.log(log, 'Conversation initiation for a number we cannot place: neutral answer');
    const neutral = this.context.neutral(tenant?.name ?? '');
    return initiationAnswer(neutral.dynamicVariables, neutral.conversationConfigOverride, null);
  }
}
