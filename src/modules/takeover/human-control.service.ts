import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { LeadsRepository } from '../leads/leads.repository.js';
import { SmsSenderService } from '../messaging/sms-sender.service.js';
import { EVENT_BUS, type EventBus } from '../realtime/event-bus.port.js';
import type { HumanControlStateDto, OperatorMessageSentDto } from './dto/takeover.dto.js';
import { TakeoverException, TakeoverExceptionCode } from './takeover.exception.js';

/**
 * SMS takeover: while a lead is under human control no automatic reply goes out; operators write
 * through the API (stored with role `human`). Handing back needs nothing else: the agent's
 * context is built from the timeline, which holds what the human wrote ("Staff").
 */
@Injectable()
export class HumanControlService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly leads: LeadsRepository,
    private readonly sender: SmsSenderService,
    @Inject(EVENT_BUS) private readonly events: EventBus,
  ) {}

  async set(tenantId: string, leadId: string, enabled: boolean, operator?: string): Promise<HumanControlStateDto> {
    return this.db.transaction(async (manager) => {
      const previous = await this.leads.setHumanControl(manager, tenantId, leadId, enabled, operator ?? null);
      if (!previous) throw new TakeoverException(TakeoverExceptionCode.LEAD_NOT_FOUND, 'Lead not found');
      // Repeating the same request changes nothing and announces nothing.
      if (previous.was !== enabled) {
        await this.events.publish(
          { tenantId, type: enabled ? 'takeover.started' : 'takeover.ended', leadId, data: { channel: 'sms', operator: operator ?? null } },
          { manager },
        );
      }
      return { leadId, humanControl: enabled, operator: enabled ? (operator ?? null) : null };
    });
  }

  async reply(tenantId: string, leadId: string, body: string, operator?: string): Promise<OperatorMessageSentDto> {
    const lead = await this.leads.findById(tenantId, leadId);
    if (!lead) throw new TakeoverException(TakeoverExceptionCode.LEAD_NOT_FOUND, 'Lead not found');
    // Answer on the channel the lead last wrote on, from the number it wrote to.
    const last = await this.leads.lastInboundText(tenantId, leadId);
    const sent = await this.sender.send({
      tenantId,
      lead,
      channel: last?.channel ?? 'sms',
      from: last?.to ?? undefined,
      body,
      role: 'human',
      metadata: { operator: operator ?? lead.humanOperator ?? null },
    });
    return { id: sent.id, sid: sent.sid, status: sent.status, segments: sent.segments };
  }
}
