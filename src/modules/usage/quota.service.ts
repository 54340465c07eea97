import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CallsRepository } from '../calls/calls.repository.js';
import { TenantsRepository } from '../tenants/tenants.repository.js';
import { firstRow, int, mapRows, type SqlRow } from '../../database/sql-row.js';
import { EVENT_BUS, type EventBus } from '../realtime/event-bus.port.js';
import type { TenantSettings } from '../tenants/tenant-settings.types.js';
import { evaluateQuota, MONTHLY_QUOTAS, type QuotaCheck, type QuotaKind, thresholdsReached } from './quota-rules.js';
import { minutesUsed, utcMonthStart } from './usage-period.js';

export type { QuotaCheck, QuotaKind } from './quota-rules.js';

const toThreshold = (r: SqlRow): number => int(r, 'threshold');

export interface QuotaCheckOptions {
  /** The caller's transaction (required inside one: the embedded database has one connection per transaction). */
  manager?: EntityManager;
  /** Units already promised but not yet counted (e.g. outbound calls still in our queue). */
  pending?: number;
  now?: Date;
}

const LIMIT_OF: Record<QuotaKind, keyof NonNullable<TenantSettings['quotas']>> = {
  concurrentCalls: 'maxConcurrentCalls',
  voiceMinutes: 'monthlyVoiceMinutes',
  smsSegments: 'monthlySmsSegments',
  outboundCalls: 'monthlyOutboundCalls',
};

const MONTH_USED_SQL: Record<Exclude<QuotaKind, 'concurrentCalls'>, string> = {
  voiceMinutes: 'COALESCE(sum(inbound_seconds + outbound_seconds), 0)::int',
  smsSegments: 'COALESCE(sum(sms_out_segments), 0)::int',
  outboundCalls: 'COALESCE(sum(outbound_calls), 0)::int',
};

/**
 * The tenant quotas (settings.quotas) as one question for every entry point: "may one more
 * call / minute / SMS segment start now?". Monthly quotas are measured on usage_daily (UTC month),
 * the concurrent-call quota on the calls still using a line. `alertIfNeeded` publishes an `alert`
 * event the first time a monthly quota passes 80% and 100% in a month (usage_alerts' primary key
 * makes that once across instances).
 */
@Injectable()
export class QuotaService {
  private readonly logger = new Logger(QuotaService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(EVENT_BUS) private readonly events: EventBus,
    private readonly calls: CallsRepository,
    private readonly tenants: TenantsRepository,
  ) {}

  async check(tenantId: string, kind: QuotaKind, options: QuotaCheckOptions = {}): Promise<QuotaCheck> {
    const manager = options.manager ?? this.dataSource.manager;
    const settings = await this.tenants.settingsOf(tenantId, manager);
    const limit = settings?.quotas?.[LIMIT_OF[kind]];
    if (limit === undefined || limit === null) return evaluateQuota(kind, 0, null); // no quota: nothing to count
    const used = (await this.used(manager, tenantId, kind, options.now ?? new Date())) + (options.pending ?? 0);
    return evaluateQuota(kind, used, limit);
  }

  /**
   * Publishes the 80%/100% alerts this usage has earned and not yet had this month. Call it after
   * counting usage; with a manager the alert rows and events commit with the caller's transaction.
   */
  async alertIfNeeded(tenantId: string, kind: QuotaKind, options: { manager?: EntityManager; now?: Date } = {}): Promise<number[]> {
    if (!MONTHLY_QUOTAS.includes(kind)) return [];
    const manager = options.manager ?? this.dataSource.manager;
    const now = options.now ?? new Date();
    try {
      const status = await this.check(tenantId, kind, { manager, now });
      const reached = thresholdsReached(status.used, status.limit);
      if (reached.length === 0) return [];
      const month = utcMonthStart(now);
      const result: unknown = await manager.query(
        `INSERT INTO usage_alerts (tenant_id, month, quota, threshold, used, quota_limit)
         SELECT $1, $2::date, $3, t, $5, $6 FROM unnest($4::int[]) AS t
         ON CONFLICT ON CONSTRAINT "PK_usage_alerts" DO NOTHING RETURNING threshold`,
        [tenantId, month, kind, reached, status.used, status.limit],
      );
      const inserted = mapRows(result, toThreshold);
      for (const threshold of inserted) {
        await this.events.publish(
          {
            tenantId,
            type: 'alert',
            data: { kind: 'quota', quota: kind, threshold, used: status.used, limit: status.limit, month, level: threshold >= 100 ? 'error' : 'warning' },
          },
          options.manager ? { manager } : undefined,
        );
      }
      return inserted;
    } catch (err) {
      if (options.manager) throw err; // the caller's transaction is aborted anyway
      this.logger.warn({ err, tenantId, kind }, 'Could not evaluate quota alerts');
      return [];
    }
  }

  private async used(manager: EntityManager, tenantId: string, kind: QuotaKind, now: Date): Promise<number> {
    if (kind === 'concurrentCalls') {
      return this.calls.countActiveCalls(manager, tenantId);
    }
    const result: unknown = await manager.query(`SELECT ${MONTH_USED_SQL[kind]} AS used FROM usage_daily WHERE tenant_id = $1 AND day >= $2`, [
      tenantId,
      utcMonthStart(now),
    ]);
    const used = firstRow(result, (r) => int(r, 'used')) ?? 0;
    // Minutes are billed as started minutes, like the usage report.
    return kind === 'voiceMinutes' ? minutesUsed(used) : used;
  }
}
