import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { EVENT_BUS, type EventBus } from '../realtime/event-bus.port.js';
import type { Tenant } from '../tenants/tenant.entity.js';
import { conversationOutcome, ConversationOutcome, ProviderAnalysis } from './conversation-outcome.js';
import { analyseTranscript, summariseTranscript } from './domain/index.js';
import { LeadDetailDto, LeadPageDto, LeadResponseDto, toLeadResponse, toTimelineEntry } from './dto/lead-response.dto.js';
import type { ListLeadsQueryDto } from './dto/list-leads-query.dto.js';
import type { UpdateLeadDto } from './dto/update-lead.dto.js';
import { afterCursorCondition, decodeLeadCursor, encodeLeadCursor, likePattern, SORT_COLUMN } from './lead-cursor.js';
import { Lead } from './lead.entity.js';
import { LeadsException, LeadsExceptionCode } from './leads.exception.js';
import { LeadsRepository, NewTimelineEntry } from './leads.repository.js';

export interface ConversationTurn {
  /** Position in the provider's transcript (stable, part of the external id). */
  index: number;
  role: 'user' | 'agent';
  text: string;
  offsetSecs: number;
  metadata?: Record<string, unknown>;
}

export interface FinishedConversation {
  tenant: Pick<Tenant, 'id' | 'settings'>;
  leadId: string;
  callId: string;
  conversationId: string;
  startedAt: Date;
  endedAt: Date;
  turns: ConversationTurn[];
  analysis?: ProviderAnalysis;
  /** This conversation was applied before (a re-drive): refresh the timeline, count nothing again. */
  alreadyApplied: boolean;
}

export interface AppliedConversation {
  lead: Lead;
  outcome?: ConversationOutcome;
  turnsInserted: number;
  liveTurnsRemoved: number;
}

/** Leads: the admin API's reads and edits, and what a finished conversation does to its lead. */
@Injectable()
export class LeadsService {
  constructor(
    @InjectRepository(Lead) private readonly leads: Repository<Lead>,
    private readonly repository: LeadsRepository,
    @Inject(EVENT_BUS) private readonly events: EventBus,
  ) {}

  async list(tenantId: string, query: ListLeadsQueryDto): Promise<LeadPageDto> {
    const sort = query.sort ?? 'lastContact';
    const limit = query.limit ?? 50;
    const column = SORT_COLUMN[sort];
    const qb = this.leads.createQueryBuilder('l').where('l.tenant_id = :tenantId', { tenantId });
    if (query.status) qb.andWhere('l.status = :status', { status: query.status });
    const q = query.q?.trim();
    if (q) {
      const digits = q.replace(/\D/g, '');
      // Three digits or more look like part of a number; anything else is matched on the name.
      if (digits.length >= 3 && /^[\d\s()+.-]+$/.test(q)) qb.andWhere(`l.phone_e164 LIKE :phone`, { phone: likePattern(digits) });
      else qb.andWhere(`l.name ILIKE :name`, { name: likePattern(q) });
    }
    if (query.cursor) {
      const cursor = decodeLeadCursor(query.cursor, sort);
      if (!cursor) throw new LeadsException(LeadsExceptionCode.INVALID_CURSOR, 'cursor is not a cursor this list returned for this sort');
      const condition = afterCursorCondition(cursor);
      qb.andWhere(condition.sql, condition.params);
    }
    const rows = await qb
      .orderBy(column, 'DESC', 'NULLS LAST')
      .addOrderBy('l.id', 'DESC')
      .take(limit + 1)
      .getMany();
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    const value = (lead: Lead) =>
      sort === 'score' ? lead.score : sort === 'created' ? lead.createdAt.toISOString() : (lead.lastContactAt?.toISOString() ?? null);
    return {
      items: items.map(toLeadResponse),
      nextCursor: rows.length > limit && last ? encodeLeadCursor({ sort, value: value(last), id: last.id }) : null,
    };
  }

  async get(tenantId: string, leadId: string, timelineLimit = 100): Promise<LeadDetailDto> {
    const lead = await this.findOrThrow(tenantId, leadId);
    const [recent, total] = await Promise.all([this.repository.timeline(tenantId, leadId, timelineLimit), this.repository.countMessages(tenantId, leadId)]);
    return { ...toLeadResponse(lead), timeline: recent.reverse().map(toTimelineEntry), timelineTotal: total };
  }

  async update(tenantId: string, leadId: string, dto: UpdateLeadDto): Promise<LeadResponseDto> {
    await this.findOrThrow(tenantId, leadId);
    const changes: Partial<Lead> = {};
    if (dto.name !== undefined) changes.name = dto.name;
    if (dto.email !== undefined) changes.email = dto.email === null ? null : dto.email.toLowerCase();
    if (dto.status !== undefined) changes.status = dto.status;
    if (dto.notes !== undefined) changes.notes = dto.notes;
    if (Object.keys(changes).length > 0) await this.leads.update({ id: leadId, tenantId }, changes);
    const lead = await this.findOrThrow(tenantId, leadId);
    await this.publishUpdated(lead, 'edited', Object.keys(changes));
    return toLeadResponse(lead);
  }

  /**
   * Records a finished conversation on its lead, inside the caller's transaction: the transcript
   * replaces the live turns on the timeline, and the lead is re-analysed and re-scored.
   */
  async applyConversation(manager: EntityManager, input: FinishedConversation): Promise<AppliedConversation> {
    const lead = await this.repository.lockById(manager, input.tenant.id, input.leadId);
    if (!lead) throw new LeadsException(LeadsExceptionCode.LEAD_NOT_FOUND, 'Lead not found');
    const entries: NewTimelineEntry[] = input.turns.map((turn) => ({
      tenantId: input.tenant.id,
      leadId: lead.id,
      callId: input.callId,
      channel: 'voice',
      direction: turn.role === 'user' ? 'inbound' : 'outbound',
      role: turn.role,
      body: turn.text,
      offsetSecs: turn.offsetSecs,
      externalId: `el:${input.conversationId}:${turn.index}`,
      metadata: { source: 'post_call', conversationId: input.conversationId, ...(turn.metadata ?? {}) },
      occurredAt: new Date(input.startedAt.getTime() + Math.round(turn.offsetSecs * 1000)),
    }));
    const { removed, inserted } = await this.repository.replaceLiveTurns(manager, input.tenant.id, input.callId, entries);
    if (input.alreadyApplied) return { lead, turnsInserted: inserted, liveTurnsRemoved: removed };

    const outcome = conversationOutcome({
      lead,
      turns: input.turns.map((t) => ({ role: t.role, text: t.text, offsetSecs: t.offsetSecs })),
      analysis: input.analysis,
      keywords: input.tenant.settings?.keywords,
      endedAt: input.endedAt,
    });
    await manager.update(Lead, { id: lead.id, tenantId: input.tenant.id }, outcome.changes);
    Object.assign(lead, outcome.changes);
    return { lead, outcome, turnsInserted: inserted, liveTurnsRemoved: removed };
  }

  /** Our extractive summary, for a conversation without a lead (withheld number); null when nothing was said. */
  summarise(turns: ReadonlyArray<Pick<ConversationTurn, 'role' | 'text'>>): string | null {
    if (turns.length === 0) return null;
    const mapped = turns.map((t) => ({ role: t.role, text: t.text }));
    return summariseTranscript(mapped, analyseTranscript(mapped));
  }

  /** Coarse realtime event; never fails the caller (the bus logs its own failures). */
  publishUpdated(lead: Lead, reason: string, fields?: string[]): Promise<void> {
    return this.events.publish({
      tenantId: lead.tenantId,
      type: 'lead.updated',
      leadId: lead.id,
      data: { reason, fields, status: lead.status, score: lead.score, sentiment: lead.sentiment, interactionCount: lead.interactionCount },
    });
  }

  private async findOrThrow(tenantId: string, leadId: string): Promise<Lead> {
    const lead = await this.repository.findById(tenantId, leadId);
    if (!lead) throw new LeadsException(LeadsExceptionCode.LEAD_NOT_FOUND, 'Lead not found');
    return lead;
  }
}
