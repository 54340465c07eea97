import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { CallsRepository } from '../calls/calls.repository.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { UsageDaily } from './usage-daily.entity.js';
import { UsageException, UsageExceptionCode } from './usage.exception.js';
import { minutesUsed, remainingAllowance, resolveDayRange, utcDay, utcMonthStart } from './usage-period.js';
import { USAGE_COLUMN as COLUMN, USAGE_COUNTERS as COUNTERS, type UsageCounter, usageIncrementSql } from './usage-sql.js';
import { int, mapRows, oneRow, type SqlRow, text } from '../../database/sql-row.js';

export type { UsageCounter } from './usage-sql.js';

export type UsageCounters = Record<UsageCounter, number> & { aiCost: string };
export interface UsageDay extends UsageCounters {
  day: string;
}

export interface UsageReport {
  tenantId: string;
  from: string;
  to: string;
  days: UsageDay[];
  totals: UsageCounters;
  quotas: { maxConcurrentCalls: number | null; monthlyVoiceMinutes: number | null; monthlySmsSegments: number | null; monthlyOutboundCalls: number | null };
  month: { start: string; voiceSeconds: number; voiceMinutes: number; smsSegments: number; outboundCalls: number; activeCalls: number };
  remaining: { voiceMinutes: number | null; smsSegments: number | null; outboundCalls: number | null; concurrentCalls: number | null };
}

const SELECT_COUNTERS = COUNTERS.map((c) => `${COLUMN[c]} AS "${c}"`).join(', ');
const SUM_COUNTERS = COUNTERS.map((c) => `COALESCE(sum(${COLUMN[c]}), 0)::int AS "${c}"`).join(', ');

/** The counters of a row selected with SELECT_COUNTERS or SUM_COUNTERS (each counter by its own name). */
function toCounts(r: SqlRow): Record<UsageCounter, number> {
  return {
    inboundCalls: int(r, 'inboundCalls'),
    outboundCalls: int(r, 'outboundCalls'),
    inboundSeconds: int(r, 'inboundSeconds'),
    outboundSeconds: int(r, 'outboundSeconds'),
    smsInSegments: int(r, 'smsInSegments'),
    smsOutSegments: int(r, 'smsOutSegments'),
    whatsappIn: int(r, 'whatsappIn'),
    whatsappOut: int(r, 'whatsappOut'),
    aiSeconds: int(r, 'aiSeconds'),
  };
}

const toCounters = (r: SqlRow): UsageCounters => ({ ...toCounts(r), aiCost: text(r, 'aiCost') });
const toDay = (r: SqlRow): UsageDay => ({ day: text(r, 'day'), ...toCounters(r) });

/** Per-tenant, per-UTC-day usage: increments are single INSERT ... ON CONFLICT DO UPDATE statements. */
@Injectable()
export class UsageService {
  constructor(
    @InjectRepository(UsageDaily) private readonly usage: Repository<UsageDaily>,
    private readonly tenants: TenantsService,
    private readonly calls: CallsRepository,
  ) {}

  /**
   * Adds to the tenant's counters for the UTC day of `at`. Pass the transaction's manager when the
   * increment must commit (or roll back) with the change that caused it.
   */
  async increment(tenantId: string, at: Date, deltas: Partial<Record<UsageCounter, number>>, manager: EntityManager = this.usage.manager): Promise<void> {
    const entries = COUNTERS.filter((c) => {
      const delta = deltas[c];
      return delta !== undefined && Number.isInteger(delta) && delta > 0;
    });
    if (entries.length === 0) return;
    const values = Object.fromEntries(entries.map((c, i) => [c, `$${i + 3}::int`]));
    await manager.query(usageIncrementSql({ tenantId: '$1::uuid', day: '$2::date', values }), [tenantId, utcDay(at), ...entries.map((c) => deltas[c])]);
  }

  /**
   * Adds a conversation's AI seconds and cost (ElevenLabs credits) to the tenant's row for the UTC
   * day it started. Called once per conversation, inside the transaction that records it.
   */
  async addAiUsage(tenantId: string, at: Date, seconds: number, cost: number, manager: EntityManager = this.usage.manager): Promise<void> {
    if (seconds <= 0 && cost <= 0) return;
    await manager.query(
      `INSERT INTO usage_daily (tenant_id, day, ai_seconds, ai_cost) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id, day) DO UPDATE SET ai_seconds = usage_daily.ai_seconds + EXCLUDED.ai_seconds, ai_cost = usage_daily.ai_cost + EXCLUDED.ai_cost`,
      [tenantId, utcDay(at), Math.max(0, Math.round(seconds)), Math.max(0, cost).toFixed(4)],
    );
  }

  /** Voice seconds (both directions) used in the UTC month of `now`: the monthly-minutes quota's measure. */
  async monthVoiceSeconds(tenantId: string, now: Date, manager: EntityManager = this.usage.manager): Promise<number> {
    const [seconds] = mapRows(
      await manager.query(`SELECT COALESCE(sum(inbound_seconds + outbound_seconds), 0)::int AS seconds FROM usage_daily WHERE tenant_id = $1 AND day >= $2`, [
        tenantId,
        utcMonthStart(now),
      ]),
      (r) => int(r, 'seconds'),
    );
    return seconds ?? 0;
  }

  async report(tenantId: string, from: string | undefined, to: string | undefined, now = new Date()): Promise<UsageReport> {
    const range = resolveDayRange(from, to, now);
    if (!range.ok) throw new UsageException(UsageExceptionCode.INVALID_RANGE, range.message);
    const tenant = await this.tenants.get(tenantId);
    const monthStart = utcMonthStart(now);
    const [days, totals, month, active] = await Promise.all([
      this.usage
        .query(
          `SELECT day::text AS day, ${SELECT_COUNTERS}, ai_cost::text AS "aiCost" FROM usage_daily WHERE tenant_id = $1 AND day BETWEEN $2 AND $3 ORDER BY day`,
          [tenantId, range.from, range.to],
        )
        .then((result: unknown) => mapRows(result, toDay)),
      this.usage
        .query(`SELECT ${SUM_COUNTERS}, COALESCE(sum(ai_cost), 0)::text AS "aiCost" FROM usage_daily WHERE tenant_id = $1 AND day BETWEEN $2 AND $3`, [
          tenantId,
          range.from,
          range.to,
        ])
        .then((result: unknown) => oneRow(result, toCounters)),
      this.usage
        .query(`SELECT ${SUM_COUNTERS} FROM usage_daily WHERE tenant_id = $1 AND day >= $2`, [tenantId, monthStart])
        .then((result: unknown) => oneRow(result, toCounts)),
      this.calls.countActiveCalls(this.usage.manager, tenantId),
    ]);
    const quotas = tenant.settings?.quotas ?? {};
    const voiceSeconds = month.inboundSeconds + month.outboundSeconds;
    return {
      tenantId,
      from: range.from,
      to: range.to,
      days,
      totals,
      quotas: {
        maxConcurrentCalls: quotas.maxConcurrentCalls ?? null,
        monthlyVoiceMinutes: quotas.monthlyVoiceMinutes ?? null,
        monthlySmsSegments: quotas.monthlySmsSegments ?? null,
        monthlyOutboundCalls: quotas.monthlyOutboundCalls ?? null,
      },
      month: {
        start: monthStart,
        voiceSeconds,
        voiceMinutes: minutesUsed(voiceSeconds),
        smsSegments: month.smsOutSegments,
        outboundCalls: month.outboundCalls,
        activeCalls: active,
      },
      remaining: {
        voiceMinutes: remainingAllowance(quotas.monthlyVoiceMinutes, minutesUsed(voiceSeconds)),
        smsSegments: remainingAllowance(quotas.monthlySmsSegments, month.smsOutSegments),
        outboundCalls: remainingAllowance(quotas.monthlyOutboundCalls, month.outboundCalls),
        concurrentCalls: remainingAllowance(quotas.maxConcurrentCalls, active),
      },
    };
  }
}
