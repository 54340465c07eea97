import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Page, paginate } from '../../common/pagination/cursor.js';
import { CallStatusEvent } from './call-status-event.entity.js';
import { Call } from './call.entity.js';
import { CallsException, CallsExceptionCode } from './calls.exception.js';

export interface CallFilters {
  status?: string;
  leadId?: string;
  from?: Date;
  to?: Date;
  limit?: number;
  cursor?: string;
}

/** Reads calls for the admin API; every query is scoped by an explicit tenant id. */
@Injectable()
export class CallsService {
  constructor(
    @InjectRepository(Call) private readonly calls: Repository<Call>,
    @InjectRepository(CallStatusEvent) private readonly events: Repository<CallStatusEvent>,
  ) {}

  list(tenantId: string, filters: CallFilters): Promise<Page<Call>> {
    if (filters.from && filters.to && filters.from > filters.to) throw new CallsException(CallsExceptionCode.INVALID_FILTER, 'from must not be after to');
    const qb = this.calls.createQueryBuilder('c').where('c.tenant_id = :tenantId', { tenantId });
    if (filters.status) qb.andWhere('c.status = :status', { status: filters.status });
    if (filters.leadId) qb.andWhere('c.lead_id = :leadId', { leadId: filters.leadId });
    if (filters.from) qb.andWhere('c.created_at >= :from', { from: filters.from });
    if (filters.to) qb.andWhere('c.created_at < :to', { to: filters.to });
    return paginate(qb, { alias: 'c', timeColumn: 'created_at', timeProperty: 'createdAt', limit: filters.limit, cursor: filters.cursor });
  }

  /** A call with its status history; `tenantId` null = the admin, who may read any call. */
  async get(tenantId: string | null, id: string): Promise<{ call: Call; history: CallStatusEvent[] }> {
    const call = await this.calls.findOneBy(tenantId ? { id, tenantId } : { id });
    // Another tenant's call answers exactly like a call that does not exist.
    if (!call) throw new CallsException(CallsExceptionCode.CALL_NOT_FOUND, 'Call not found');
    const history = await this.events.find({ where: { tenantId: call.tenantId, callId: call.id }, order: { receivedAt: 'ASC', id: 'ASC' } });
    return { call, history };
  }
}
