import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { FastifyRequest } from 'fastify';
import { Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import type { Principal } from '../auth/principal.js';
import { AuditActorType, AuditLog, AuditOutcome } from './audit-log.entity.js';

export interface AuditEntry {
  actorType: AuditActorType;
  actorId?: string | null;
  tenantId?: string | null;
  action: string;
  resourceType?: string | null;
  resourceId?: string | null;
  outcome: AuditOutcome;
  statusCode?: number | null;
  requestId?: string | null;
  sourceIp?: string | null;
  details?: Record<string, unknown> | null;
}

export function actorOf(principal?: Principal): Pick<AuditEntry, 'actorType' | 'actorId' | 'tenantId'> {
  if (!principal) return { actorType: 'anonymous', actorId: null, tenantId: null };
  if (principal.kind === 'admin') return { actorType: 'admin', actorId: null, tenantId: null };
  return { actorType: 'api_key', actorId: principal.apiKeyId, tenantId: principal.tenantId };
}

/** Writes the audit trail. Never throws: a lost audit row is logged, the request goes on. */
@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(@InjectRepository(AuditLog) private readonly auditLogs: Repository<AuditLog>) {}

  async record(entry: AuditEntry): Promise<void> {
    try {
      // TypeORM's QueryDeepPartialEntity cannot take a jsonb Record<string, unknown> (details): its gap, not ours.
      await this.auditLogs.insert(entry as QueryDeepPartialEntity<AuditLog>);
    } catch (err) {
      this.logger.error({ err, action: entry.action, requestId: entry.requestId }, 'Could not write audit log');
    }
  }

  /** For refusals in guards (authentication, webhook signatures), which interceptors never see. */
  recordDenied(request: FastifyRequest, action: string, reason: string, actor?: Partial<AuditEntry>): Promise<void> {
    return this.record({
      actorType: 'anonymous',
      action,
      outcome: 'denied',
      requestId: String(request.id),
      sourceIp: request.ip,
      details: { reason, method: request.method, route: request.routeOptions?.url ?? null },
      ...actor,
    });
  }
}
