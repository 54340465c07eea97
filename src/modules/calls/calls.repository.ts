import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { hydrate } from '../../database/hydrate.js';
import { columnsOf, PreparedStatement, preparedStatement, queryPrepared } from '../../database/prepared-statement.js';
import { bool, firstRow, int, intOrNull, oneOf, rowsOf, text, textOrNull, jsonObjectOrNull, type SqlRow } from '../../database/sql-row.js';
import type { ContextOptions } from '../leads/conversation-context.service.js';
import type { Lead } from '../leads/lead.entity.js';
import { leadProfileOf } from '../leads/lead-profiles.read-model.js';
import type { TenantSettings } from '../tenants/tenant-settings.types.js';
import type { Tenant } from '../tenants/tenant.entity.js';
import { storedTenantSettings, tenantProfileOf } from '../tenants/tenant-profiles.read-model.js';
import {
  ACTIVE_CALL_MAX_AGE_SQL,
  ACTIVE_CALL_STATUSES,
  CALL_STATUS_RANK,
  callStatusRankSql,
  isTerminalStatus,
  recordingStatusRankSql,
  StreamState,
  streamStateRankSql,
} from './call-status.js';
import { utcDay } from '../usage/usage-period.js';
import { usageIncrementSql } from '../usage/usage-sql.js';
import { CALL_DIRECTIONS, CALL_STATUSES, Call, type CallDirection, type CallStatus } from './call.entity.js';
import { callMetadataOf, type BridgeEndReason, type BridgeOutcome, type CallRoutingMode, type HandbackNote, type TransferRequest } from './call-state.js';

export interface NewInboundCall {
  tenantId: string;
  leadId: string | null;
  phoneNumberId: string | null;
  callSid: string;
  accountSid: string | null;
  fromNumber: string;
  toNumber: string;
  status: 'ringing' | 'rejected';
  disposition: string | null;
  routingMode: CallRoutingMode | null;
  agentId: string | null;
  /** Count the call in the tenant's daily usage (only when the row is new). */
  countUsage: boolean;
  at: Date;
}

export interface StatusCallbackInput {
  callSid: string;
  /** The signed AccountSid: a callback only touches calls of the account that sent it. */
  accountSid: string | null;
  status: CallStatus;
  at: Date;
  durationSecs: number | null;
  sipResponseCode: number | null;
  sequenceNumber: number | null;
  details: Record<string, unknown>;
}

/** A stream status callback (`<Stream statusCallback>`). */
export interface StreamStatusInput {
  callSid: string;
  accountSid: string | null;
  streamSid: string;
  state: StreamState;
  error: string | null;
}

/** A recording status callback. */
export interface RecordingInput {
  callSid: string;
  accountSid: string | null;
  sid: string;
  url: string | null;
  durationSecs: number | null;
  status: string | null;
}

export interface StatusCallbackResult {
  callId: string;
  tenantId: string;
  leadId: string | null;
  direction: CallDirection;
  previousStatus: CallStatus;
  status: CallStatus;
  durationSecs: number | null;
  /** True only for the one callback that moved the call into its ended state. */
  justEnded: boolean;
  historyAdded: boolean;
  /** The call just ended and its tenant has a monthly voice-minutes quota (alerts may be due). */
  voiceQuota: boolean;
}

export interface ConnectActionCall {
  call: Call;
  tenantSettings: TenantSettings;
}

/** What the media bridge needs to start a conversation, returned by the stream's claim. */
export interface MediaStreamClaim {
  call: { id: string; tenantId: string; leadId: string | null };
  /** Its tenant_profiles row: no credentials. */
  tenant: Tenant;
  /** Its lead_profiles row. */
  lead: Lead | null;
  /** Set by a hand-back after a transfer: what the new conversation is told. */
  handback: HandbackNote | null;
  /** Per-call context the voice webhook decided (outbound overrides, voicemail message). */
  contextOptions: ContextOptions | null;
}

/** How the bridge let go of the call. */
export interface BridgeEnd {
  outcome: BridgeOutcome;
  reason: BridgeEndReason;
  /** The agent's or caller's failure a user reads on GET /api/calls/:id. */
  failure?: string;
}

/** A call as takeover sees it: live or not, its tenant's hand-off settings, an API transfer's reason. */
export interface TakeoverCall {
  id: string;
  tenantId: string;
  leadId: string | null;
  callSid: string | null;
  status: CallStatus;
  transferReason: string | null;
  tenantSettings: TenantSettings;
}

const toTakeoverCall = (r: SqlRow): TakeoverCall => ({
  id: text(r, 'id'),
  tenantId: text(r, 'tenant_id'),
  leadId: textOrNull(r, 'lead_id'),
  callSid: textOrNull(r, 'twilio_call_sid'),
  status: oneOf(r, 'status', CALL_STATUSES),
  transferReason: callMetadataOf(r.metadata).transfer?.reason ?? null,
  tenantSettings: storedTenantSettings(jsonObjectOrNull(r, 'settings')),
});

const TAKEOVER_CALL_COLUMNS = 'c.id, c.tenant_id, c.lead_id, c.twilio_call_sid, c.status, c.metadata, t.settings';

const toStatusCallbackResult = (row: SqlRow): StatusCallbackResult => ({
  callId: text(row, 'id'),
  tenantId: text(row, 'tenant_id'),
  leadId: textOrNull(row, 'lead_id'),
  direction: oneOf(row, 'direction', CALL_DIRECTIONS),
  previousStatus: oneOf(row, 'prev_status', CALL_STATUSES),
  status: oneOf(row, 'status', CALL_STATUSES),
  durationSecs: intOrNull(row, 'duration_secs'),
  justEnded: bool(row, 'just_ended'),
  historyAdded: bool(row, 'history_added'),
  voiceQuota: bool(row, 'voice_quota'),
});

const toIds = (r: SqlRow) => ({ callId: text(r, 'id'), tenantId: text(r, 'tenant_id') });

const ACCOUNT_MATCHES = `(twilio_account_sid IS NULL OR $2::varchar IS NULL OR twilio_account_sid = $2::varchar)`;

// One statement, so one round trip and atomic without a transaction: lock the row, move it
// forward only, keep the previous values for RETURNING (the CTE's FOR UPDATE returns the latest
// committed version), add the history row idempotently, and add the call's seconds to the
// tenant's usage on the one callback that ends the call (a duplicate finds it ended already).
const APPLY_STATUS_SQL = `
WITH prev AS (
  SELECT id, status, ended_at FROM calls WHERE twilio_call_sid = $1 AND ${ACCOUNT_MATCHES} FOR UPDATE
), upd AS (
  UPDATE calls c SET
    status = CASE WHEN $4::int > ${callStatusRankSql('prev.status')} THEN $3::varchar ELSE c.status END,
    answered_at = COALESCE(c.answered_at, CASE
      WHEN $3::varchar = 'in-progress' THEN $6::timestamptz
      WHEN $5::boolean AND $7::int > 0 THEN $6::timestamptz - make_interval(secs => $7::int) END),
    ended_at = CASE WHEN $5::boolean THEN COALESCE(c.ended_at, $6::timestamptz) ELSE c.ended_at END,
    duration_secs = CASE WHEN $5::boolean THEN COALESCE(c.duration_secs, $7::int) ELSE c.duration_secs END,
    sip_response_code = CASE WHEN $5::boolean THEN COALESCE(c.sip_response_code, $8::int) ELSE c.sip_response_code END,
    updated_at = now()
  FROM prev WHERE c.id = prev.id
  RETURNING c.id, c.tenant_id, c.lead_id, c.direction, c.status, c.duration_secs, prev.status AS prev_status,
    (prev.ended_at IS NULL AND c.ended_at IS NOT NULL) AS just_ended
), hist AS (
  INSERT INTO call_status_events (tenant_id, call_id, twilio_call_sid, status, sequence_number, details)
  SELECT tenant_id, id, $1, $3::varchar, $9::int, $10::jsonb FROM upd
  ON CONFLICT (twilio_call_sid, status) DO NOTHING
  RETURNING 1
), usage AS (
  ${usageIncrementSql({
    tenantId: 'tenant_id',
    day: '$11::date',
    values: {
      inboundSeconds: `CASE WHEN direction = 'inbound' THEN duration_secs ELSE 0 END`,
      outboundSeconds: `CASE WHEN direction = 'outbound' THEN duration_secs ELSE 0 END`,
    },
    source: 'upd WHERE upd.just_ended AND upd.duration_secs > 0',
  })}
)
SELECT upd.*, EXISTS (SELECT 1 FROM hist) AS history_added,
  upd.just_ended AND EXISTS (SELECT 1 FROM tenant_profiles t WHERE t.id = upd.tenant_id AND t.settings->'quotas'->>'monthlyVoiceMinutes' IS NOT NULL) AS voice_quota
FROM upd`;

const APPLY_STATUS = preparedStatement('calls_apply_status_v2', APPLY_STATUS_SQL);

const insertInboundSql = (columns: string) => `
WITH ins AS (
  INSERT INTO calls (tenant_id, lead_id, phone_number_id, twilio_call_sid, twilio_account_sid, direction, from_number, to_number, status, disposition, routing_mode, agent_id)
  VALUES ($1, $2, $3, $4, $5, 'inbound', $6, $7, $8, $9, $10, $11)
  ON CONFLICT (twilio_call_sid) WHERE twilio_call_sid IS NOT NULL DO NOTHING
  RETURNING ${columns}
), hist AS (
  INSERT INTO call_status_events (tenant_id, call_id, twilio_call_sid, status, details)
  SELECT tenant_id, id, twilio_call_sid, status, $12::jsonb FROM ins
  ON CONFLICT (twilio_call_sid, status) DO NOTHING
), usage AS (
  ${usageIncrementSql({ tenantId: 'tenant_id', day: '$13::date', values: { inboundCalls: '1' }, source: 'ins WHERE $14::boolean' })}
)
SELECT * FROM ins`;

/**
 * The call writes Twilio's webhooks make. Each is one statement (or one short transaction) that is
 * safe to repeat: Twilio retries and reorders, and two instances may get the same callback.
 */
@Injectable()
export class CallsRepository {
  // On the incoming-call path: prepared (src/database/prepared-statement.ts), so columns are listed.
  private readonly insertInboundStatement: PreparedStatement;
  private readonly findBySidStatement: PreparedStatement;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    const columns = columnsOf(dataSource, Call);
    this.insertInboundStatement = preparedStatement('calls_insert_inbound_v2', insertInboundSql(columns));
    this.findBySidStatement = preparedStatement('calls_find_by_sid_v2', `SELECT ${columns} FROM calls WHERE twilio_call_sid = $1`);
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /** Inserts the call (its first history row, its usage count) unless the CallSid exists; returns the row either way. */
  async insertInbound(manager: EntityManager, input: NewInboundCall): Promise<{ call: Call; inserted: boolean }> {
    const history = { source: 'voice-webhook', ...(input.disposition ? { disposition: input.disposition } : {}) };
    const rows = await queryPrepared(manager, this.insertInboundStatement, [
      input.tenantId,
      input.leadId,
      input.phoneNumberId,
      input.callSid,
      input.accountSid,
      input.fromNumber,
      input.toNumber,
      input.status,
      input.disposition,
      input.routingMode,
      input.agentId,
      JSON.stringify(history),
      utcDay(input.at),
      input.countUsage,
    ]);
    if (rows.length > 0) return { call: hydrate(manager, Call, rows[0]), inserted: true };
    // A retry, or a concurrent duplicate that committed first (the insert waited for it).
    const existing = await queryPrepared(manager, this.findBySidStatement, [input.callSid]);
    return { call: hydrate(manager, Call, existing[0]), inserted: false };
  }

  /** Serialises admission decisions per tenant until the transaction ends (strict concurrent-call quota). */
  async lockTenantAdmission(manager: EntityManager, tenantId: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('call-admission:' || $1, 0))`, [tenantId]);
  }

  /** The tenant's calls still using a line, not counting `exceptCallSid` (a retried webhook). */
  async countActive(manager: EntityManager, tenantId: string, exceptCallSid: string): Promise<number> {
    const result: unknown = await manager.query(
      `SELECT count(*)::int AS n FROM calls
       WHERE tenant_id = $1 AND status = ANY($2) AND twilio_call_sid IS DISTINCT FROM $3 AND created_at > now() - ${ACTIVE_CALL_MAX_AGE_SQL}`,
      [tenantId, ACTIVE_CALL_STATUSES, exceptCallSid],
    );
    return firstRow(result, (r) => int(r, 'n')) ?? 0;
  }

  /** Applies a status callback (see APPLY_STATUS_SQL); null when no such call exists for the account. */
  async applyStatusCallback(manager: EntityManager, input: StatusCallbackInput): Promise<StatusCallbackResult | null> {
    const rows = await queryPrepared(manager, APPLY_STATUS, [
      input.callSid,
      input.accountSid,
      input.status,
      CALL_STATUS_RANK[input.status],
      isTerminalStatus(input.status),
      input.at,
      input.durationSecs,
      input.sipResponseCode,
      input.sequenceNumber,
      JSON.stringify(input.details),
      utcDay(input.at),
    ]);
    return firstRow(rows, toStatusCallbackResult);
  }

  /** Stream started → stopped/error, never backwards; the first StreamSid is kept. */
  async applyStreamStatus(input: StreamStatusInput): Promise<{ callId: string; tenantId: string; streamStatus: string } | null> {
    const result: unknown = await this.dataSource.query(
      `UPDATE calls SET
         stream_sid = COALESCE(stream_sid, $3),
         stream_status = CASE WHEN ${streamStateRankSql('$4::varchar')} > ${streamStateRankSql('stream_status')} THEN $4::varchar ELSE stream_status END,
         metadata = CASE WHEN $5::varchar IS NULL THEN metadata ELSE metadata || jsonb_build_object('streamError', $5::varchar) END,
         updated_at = now()
       WHERE twilio_call_sid = $1 AND ${ACCOUNT_MATCHES}
       RETURNING id, tenant_id, stream_status`,
      [input.callSid, input.accountSid, input.streamSid, input.state, input.error],
    );
    return firstRow(result, (r) => ({ ...toIds(r), streamStatus: text(r, 'stream_status') }));
  }

  /** Stores the recording; a repeated or out-of-order callback for the same recording changes nothing. */
  async applyRecording(input: RecordingInput): Promise<{ callId: string; tenantId: string } | null> {
    const result: unknown = await this.dataSource.query(
      `UPDATE calls SET
         recording = CASE
           WHEN recording IS NULL OR recording->>'sid' IS DISTINCT FROM $3::varchar
             OR ${recordingStatusRankSql('$6::varchar')} >= ${recordingStatusRankSql(`recording->>'status'`)}
           THEN jsonb_strip_nulls(jsonb_build_object('sid', $3::varchar, 'url', $4::varchar, 'durationSecs', $5::int, 'status', $6::varchar))
           ELSE recording END,
         updated_at = now()
       WHERE twilio_call_sid = $1 AND ${ACCOUNT_MATCHES}
       RETURNING id, tenant_id`,
      [input.callSid, input.accountSid, input.sid, input.url, input.durationSecs, input.status],
    );
    return firstRow(result, toIds);
  }

  /** The call and its tenant's settings, for `<Connect action>`. */
  async findForConnectAction(callSid: string, accountSid: string | null): Promise<ConnectActionCall | null> {
    const result: unknown = await this.dataSource.query(
      `SELECT c.*, t.settings AS tenant_settings FROM calls c JOIN tenant_profiles t ON t.id = c.tenant_id
       WHERE c.twilio_call_sid = $1 AND ${ACCOUNT_MATCHES.replace(/twilio_account_sid/g, 'c.twilio_account_sid')}`,
      [callSid, accountSid],
    );
    return firstRow(result, (r) => ({
      call: hydrate(this.dataSource.manager, Call, r),
      tenantSettings: storedTenantSettings(jsonObjectOrNull(r, 'tenant_settings')),
    }));
  }

  /** Records why we could not serve a call we had accepted (e.g. register-call failed). */
  async markFailure(callId: string, reason: string): Promise<void> {
    await this.dataSource.query(`UPDATE calls SET failure_reason = $2, updated_at = now() WHERE id = $1 AND failure_reason IS NULL`, [
      callId,
      reason.slice(0, 200),
    ]);
  }

  /**
   * Makes the session token single-use: only the first stream presenting it gets the call (one
   * atomic UPDATE, safe across instances). In the same round trip it returns what the bridge needs
   * to start the conversation, read from the tenants' and leads' published profiles. Null when refused.
   */
  async claimMediaStream(callId: string, tenantId: string, callSid: string, streamSid: string): Promise<MediaStreamClaim | null> {
    const result: unknown = await this.dataSource.query(
      `WITH claimed AS (
         UPDATE calls SET media_connected_at = now(), stream_sid = $1, updated_at = now()
         WHERE id = $2 AND tenant_id = $3 AND twilio_call_sid = $4 AND media_connected_at IS NULL
         RETURNING id, tenant_id, lead_id, metadata
       )
       SELECT c.id, c.lead_id, c.metadata,
         t.id AS tenant_id, t.name AS tenant_name, t.slug AS tenant_slug, t.status AS tenant_status, t.timezone AS tenant_timezone, t.settings AS tenant_settings,
         l.id AS lp_id, l.tenant_id AS lp_tenant_id, l.phone_e164 AS lp_phone_e164, l.name AS lp_name, l.status AS lp_status,
         l.score AS lp_score, l.summary AS lp_summary, l.interaction_count AS lp_interaction_count
       FROM claimed c JOIN tenant_profiles t ON t.id = c.tenant_id LEFT JOIN lead_profiles l ON l.id = c.lead_id AND l.tenant_id = c.tenant_id`,
      [streamSid, callId, tenantId, callSid],
    );
    const rows = rowsOf(result);
    if (rows.length !== 1) return null;
    const row = rows[0];
    const metadata = callMetadataOf(row.metadata);
    return {
      call: { id: text(row, 'id'), tenantId, leadId: textOrNull(row, 'lead_id') },
      tenant: tenantProfileOf(row, 'tenant_'),
      lead: leadProfileOf(row, 'lp_'),
      handback: metadata.handback ?? null,
      contextOptions: metadata.contextOptions ?? null,
    };
  }

  /** The ElevenLabs conversation the bridge opened for the call (never replaces another one). */
  async linkConversation(callId: string, tenantId: string, conversationId: string, agentId: string | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE calls SET conversation_id = $1, agent_id = COALESCE($2, agent_id), updated_at = now()
       WHERE id = $3 AND tenant_id = $4 AND (conversation_id IS NULL OR conversation_id = $1)`,
      [conversationId, agentId, callId, tenantId],
    );
  }

  /**
   * The bridge's outcome on the call row, and for a call the AI leg could not serve, the first
   * failure reason a user reads on GET /api/calls/:id (query strings cut: a signed URL's token
   * must not land in a column).
   */
  async recordBridgeOutcome(callId: string, tenantId: string, end: BridgeEnd): Promise<void> {
    const reason = end.failure ? end.failure.replace(/\?\S*/g, '?…').slice(0, 200) : null;
    await this.dataSource.query(
      `UPDATE calls SET bridge_outcome = $1, bridge_end_reason = left($2, 40), bridge_ended_at = now(), failure_reason = COALESCE(failure_reason, $5), updated_at = now()
       WHERE id = $3 AND tenant_id = $4`,
      [end.outcome, end.reason, callId, tenantId, reason],
    );
  }

  /** A call of the tenant, for a transfer to a human; null when the tenant has no such call. */
  async findForTransfer(tenantId: string, callId: string): Promise<TakeoverCall | null> {
    const result: unknown = await this.dataSource.query(
      `SELECT ${TAKEOVER_CALL_COLUMNS} FROM calls c JOIN tenant_profiles t ON t.id = c.tenant_id WHERE c.tenant_id = $1 AND c.id = $2`,
      [tenantId, callId],
    );
    return firstRow(result, toTakeoverCall);
  }

  /** The call a `<Dial action>` is about (within the signing tenant when known). */
  async findForDialAction(callSid: string, tenantId: string | null): Promise<TakeoverCall | null> {
    const result: unknown = await this.dataSource.query(
      `SELECT ${TAKEOVER_CALL_COLUMNS} FROM calls c JOIN tenant_profiles t ON t.id = c.tenant_id
       WHERE c.twilio_call_sid = $1 AND ($2::uuid IS NULL OR c.tenant_id = $2) LIMIT 1`,
      [callSid, tenantId],
    );
    return firstRow(result, toTakeoverCall);
  }

  /** An API transfer: where the caller goes and why (read back by the dial action's hand-back). */
  async recordTransferRequest(tenantId: string, callId: string, transfer: TransferRequest): Promise<void> {
    await this.dataSource.query(
      `UPDATE calls SET transfer_to = $3, metadata = metadata || jsonb_build_object('transfer', $4::jsonb), updated_at = now() WHERE tenant_id = $1 AND id = $2`,
      [tenantId, callId, transfer.to, JSON.stringify(transfer)],
    );
  }

  /**
   * The human leg ended and the caller goes back to the AI: the bridge's last outcome and the
   * transfer target are cleared, the hand-back note is kept for the next stream's claim, and the
   * claim is opened again (a new single-use token needs media_connected_at empty). False when the
   * call is gone.
   */
  async recordHandback(tenantId: string, callId: string, note: HandbackNote): Promise<boolean> {
    const result: unknown = await this.dataSource.query(
      `UPDATE calls SET media_connected_at = NULL, stream_sid = NULL, bridge_outcome = NULL, bridge_end_reason = NULL, bridge_ended_at = NULL,
         transfer_to = NULL, handback_count = handback_count + 1, metadata = metadata || jsonb_build_object('handback', $3::jsonb), updated_at = now()
       WHERE tenant_id = $1 AND id = $2 RETURNING id`,
      [tenantId, callId, JSON.stringify(note)],
    );
    return rowsOf(result).length > 0;
  }

  /** Calls of the tenant linked to an ElevenLabs conversation (the booking tool links its appointment). */
  async findIdByConversation(manager: EntityManager, tenantId: string, conversationId: string): Promise<string | null> {
    const result: unknown = await manager.query('SELECT id FROM calls WHERE tenant_id = $1 AND conversation_id = $2', [tenantId, conversationId]);
    return firstRow(result, (r) => text(r, 'id'));
  }

  /** The tenant's calls still using a line (the concurrent-calls quota). */
  async countActiveCalls(manager: EntityManager, tenantId: string): Promise<number> {
    const result: unknown = await manager.query(
      `SELECT count(*)::int AS n FROM calls WHERE tenant_id = $1 AND status = ANY($2) AND created_at > now() - ${ACTIVE_CALL_MAX_AGE_SQL}`,
      [tenantId, ACTIVE_CALL_STATUSES],
    );
    return firstRow(result, (r) => int(r, 'n')) ?? 0;
  }
}
