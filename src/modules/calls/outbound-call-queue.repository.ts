import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { hydrate } from '../../database/hydrate.js';
import { bool, firstRow, int, mapRows, rowsOf, text } from '../../database/sql-row.js';
import type { ContextOptions } from '../leads/conversation-context.service.js';
import { utcDay } from '../usage/usage-period.js';
import { usageIncrementSql } from '../usage/usage-sql.js';
import type { CallRoutingMode, CallMetadata, OutboundCallOptions, TwilioCallError } from './call-state.js';
import { Call } from './call.entity.js';

export interface NewOutboundCall {
  tenantId: string;
  leadId: string;
  phoneNumberId: string;
  accountSid: string;
  from: string;
  to: string;
  routingMode: CallRoutingMode;
  agentId: string;
  options: OutboundCallOptions;
  requestedBy: string;
}

/** What the callee's side told us when Twilio fetched the call's TwiML. */
export interface OutboundAnswer {
  answeredBy?: string;
  machineAction?: 'hangup' | 'voicemail';
  disposition?: 'machine_hangup' | 'voicemail';
}

// Longer than the client's timeout with its retries: a claim this old will never be stored.
const LOST_AFTER = '2 minutes';
const WAITING = `direction = 'outbound' AND status = 'queued' AND twilio_call_sid IS NULL AND dispatched_at IS NULL`;

// Claims the oldest waiting call of one account, at most one per interval across all instances:
// the advisory lock serialises the claim per account (pg_try_: a busy account is skipped, not
// waited for), the last dispatched_at enforces the rate, and SKIP LOCKED keeps a row another
// transaction holds out of reach. The claim commits before Twilio is called, so a slow Twilio
// never holds a lock, and a claimed call is never placed twice.
const CLAIM_SQL = `
WITH last AS (
  SELECT max(dispatched_at) AS at FROM calls
  WHERE twilio_account_sid = $1 AND direction = 'outbound' AND dispatched_at IS NOT NULL AND created_at > now() - interval '1 day'
), next AS (
  SELECT id FROM calls WHERE twilio_account_sid = $1 AND ${WAITING}
    AND NOT EXISTS (SELECT 1 FROM last WHERE last.at > clock_timestamp() - make_interval(secs => $2::float8 / 1000))
  ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED
), claimed AS (
  UPDATE calls c SET dispatched_at = clock_timestamp(), updated_at = now()
  FROM next WHERE c.id = next.id RETURNING c.*
)
SELECT * FROM claimed`; // (a bare UPDATE ... RETURNING comes back from TypeORM as [rows, count])

const PLACED_SQL = `
WITH upd AS (
  UPDATE calls SET twilio_call_sid = $2, status = CASE WHEN status = 'queued' THEN 'initiated' ELSE status END, placed_at = now(), updated_at = now()
  WHERE id = $1 RETURNING tenant_id
), usage AS (
  ${usageIncrementSql({ tenantId: 'tenant_id', day: '$3::date', values: { outboundCalls: '1' }, source: 'upd' })}
)
SELECT tenant_id FROM upd`;

/**
 * The calls we place: queued by POST /api/calls/outbound, released to Twilio by the dispatcher at
 * the account's rate, answered through our voice webhook. Part of the calls module, which owns the
 * table; the outbound-calls module decides, this writes.
 */
@Injectable()
export class OutboundCallQueueRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Queues the call inside the caller's admission transaction (quota checks and the lead are in it). */
  async enqueue(manager: EntityManager, input: NewOutboundCall): Promise<Call> {
    const metadata: CallMetadata = { outbound: input.options, requestedBy: input.requestedBy };
    const rows = rowsOf(
      await manager.query(
        `INSERT INTO calls (tenant_id, lead_id, phone_number_id, twilio_account_sid, direction, from_number, to_number, status, routing_mode, agent_id, metadata)
         VALUES ($1, $2, $3, $4, 'outbound', $5, $6, 'queued', $7, $8, $9::jsonb) RETURNING *`,
        [input.tenantId, input.leadId, input.phoneNumberId, input.accountSid, input.from, input.to, input.routingMode, input.agentId, JSON.stringify(metadata)],
      ),
    );
    return hydrate(manager, Call, rows[0]);
  }

  /** The tenant's calls still in our queue (not counted in usage until Twilio accepts them). */
  async countQueued(manager: EntityManager, tenantId: string): Promise<number> {
    const result: unknown = await manager.query(
      `SELECT count(*)::int AS n FROM calls WHERE tenant_id = $1 AND direction = 'outbound' AND status = 'queued' AND twilio_call_sid IS NULL`,
      [tenantId],
    );
    return firstRow(result, (r) => int(r, 'n')) ?? 0;
  }

  /** The Twilio accounts that have calls waiting to be placed. */
  async accountsWithWaitingCalls(): Promise<string[]> {
    const result: unknown = await this.dataSource.query(
      `SELECT DISTINCT twilio_account_sid AS sid FROM calls WHERE ${WAITING} AND twilio_account_sid IS NOT NULL`,
    );
    return mapRows(result, (r) => text(r, 'sid'));
  }

  /**
   * The account's next call to place, claimed (see CLAIM_SQL); null when the account is busy on
   * another instance, its rate allows none yet, or nothing waits.
   */
  async claimNext(accountSid: string, intervalMs: number): Promise<Call | null> {
    return this.dataSource.transaction(async (manager) => {
      const lock: unknown = await manager.query(`SELECT pg_try_advisory_xact_lock(hashtextextended('outbound-dispatch:' || $1, 0)) AS ok`, [accountSid]);
      if (!firstRow(lock, (r) => bool(r, 'ok'))) return null;
      const [row] = rowsOf(await manager.query(CLAIM_SQL, [accountSid, intervalMs]));
      return row ? hydrate(manager, Call, row) : null;
    });
  }

  /**
   * A call claimed by an instance that died before Twilio answered stays claimed without a SID:
   * after LOST_AFTER it is marked failed (its fate at Twilio is unknown; it is not retried, so a
   * callee is never called twice). Returns the ids.
   */
  async failLostDispatches(): Promise<string[]> {
    const result: unknown = await this.dataSource.query(
      `WITH lost AS (
         UPDATE calls SET status = 'failed', ended_at = now(), failure_reason = 'dispatch_lost', updated_at = now()
         WHERE direction = 'outbound' AND status = 'queued' AND twilio_call_sid IS NULL AND dispatched_at < now() - interval '${LOST_AFTER}'
         RETURNING id
       ) SELECT id FROM lost`,
    );
    return mapRows(result, (r) => text(r, 'id'));
  }

  /** Twilio accepted the call: its SID, and the tenant's outbound count, in the caller's transaction. */
  async markPlaced(manager: EntityManager, callId: string, callSid: string, at: Date): Promise<void> {
    await manager.query(PLACED_SQL, [callId, callSid, utcDay(at)]);
  }

  /** Twilio refused (or could not be reached): the call ends here with Twilio's code and message. */
  async markPlacementFailed(callId: string, error: TwilioCallError): Promise<void> {
    await this.dataSource.query(
      `UPDATE calls SET status = 'failed', ended_at = now(), failure_reason = $2, metadata = metadata || jsonb_build_object('twilioError', $3::jsonb), updated_at = now()
       WHERE id = $1 AND status = 'queued'`,
      [callId, `twilio_${error.code ?? 'error'}: ${error.message}`.slice(0, 200), JSON.stringify(error)],
    );
  }

  /** The outbound call Twilio's voice webhook is about (within the signing account when known). */
  async findBySid(callSid: string, accountSid: string | null): Promise<Call | null> {
    const result: unknown = await this.dataSource.query(
      `SELECT * FROM calls WHERE twilio_call_sid = $1 AND direction = 'outbound' AND (twilio_account_sid IS NULL OR $2::varchar IS NULL OR twilio_account_sid = $2::varchar)`,
      [callSid, accountSid],
    );
    return firstRow(result, (r) => hydrate(this.dataSource.manager, Call, r));
  }

  /** Who answered (machine detection) and what we did about it. */
  async recordAnswer(callId: string, answer: OutboundAnswer): Promise<void> {
    const facts: CallMetadata = answer.machineAction ? { machineAction: answer.machineAction } : {};
    await this.dataSource.query(
      `UPDATE calls SET answered_by = COALESCE($2, answered_by), disposition = COALESCE($3, disposition), metadata = metadata || $4::jsonb, updated_at = now() WHERE id = $1`,
      [callId, answer.answeredBy ?? null, answer.disposition ?? null, JSON.stringify(facts)],
    );
  }

  /** The conversation context decided for the call, kept for the instance its media stream lands on. */
  async keepContextOptions(callId: string, options: ContextOptions): Promise<void> {
    const facts: CallMetadata = { contextOptions: options };
    await this.dataSource.query(`UPDATE calls SET metadata = metadata || $2::jsonb, updated_at = now() WHERE id = $1`, [callId, JSON.stringify(facts)]);
  }
}
