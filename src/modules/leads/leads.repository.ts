import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { LeadMessage } from './lead-message.entity.js';
import { Lead } from './lead.entity.js';

/** Lead and timeline persistence. Every method takes the tenant id explicitly. */
@Injectable()
export class LeadsRepository {
  constructor(
    @InjectRepository(Lead) private readonly leads: Repository<Lead>,
    @InjectRepository(LeadMessage) private readonly messages: Repository<LeadMessage>,
  ) {}

  /** The lead for (tenant, phone), created on first contact; one round trip, safe under races. */
  async findOrCreateByPhone(tenantId: string, phoneE164: string, manager: EntityManager = this.leads.manager): Promise<Lead> {
    const rows: Array<Record<string, unknown>> = await manager.query(
      `INSERT INTO leads (tenant_id, phone_e164) VALUES ($1, $2)
       ON CONFLICT (tenant_id, phone_e164) DO UPDATE SET phone_e164 = EXCLUDED.phone_e164
       RETURNING id`,
      [tenantId, phoneE164],
    );
    return (await manager.findOneByOrFail(Lead, { id: rows[0].id as string, tenantId }))!;
  }

  findById(tenantId: string, leadId: string): Promise<Lead | null> {
    return this.leads.findOneBy({ id: leadId, tenantId });
  }

  findByPhone(tenantId: string, phoneE164: string): Promise<Lead | null> {
    return this.leads.findOneBy({ tenantId, phoneE164 });
  }

  /** The last `limit` timeline entries, returned oldest first. */
  async recentMessages(tenantId: string, leadId: string, limit: number): Promise<LeadMessage[]> {
    const rows = await this.messages.find({ where: { tenantId, leadId }, order: { occurredAt: 'DESC' }, take: limit });
    return rows.reverse();
  }

  countMessages(tenantId: string, leadId: string): Promise<number> {
    return this.messages.countBy({ tenantId, leadId });
  }
}
