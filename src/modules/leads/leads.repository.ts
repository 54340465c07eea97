import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { statusRank, SMS_STATUS_RANK } from './delivery-status.js';
import {
  LeadMessage,
  MESSAGE_CHANNELS,
  MESSAGE_ROLES,
  type MessageChannel,
  type MessageDirection,
  type MessageRole,
  TEXT_CHANNELS,
  type TextChannel,
} from './lead-message.entity.js';
import { Lead } from './lead.entity.js';
import { hydrate } from '../../database/hydrate.js';
import { columnsOf, PreparedStatement, preparedStatement, queryPrepared } from '../../database/prepared-statement.js';
import { bool, date, firstRow, int, mapRows, oneOf, RowShapeError, type SqlRow, text, textOrNull } from '../../database/sql-row.js';

/** A timeline entry to write; `externalId` makes the write idempotent. */
export interface NewTimelineEntry {
  tenantId: string;
  leadId: string;
  callId?: string | null;
  channel: MessageChannel;
  direction: MessageDirection;
  role: MessageRole;
  body: string;
  offsetSecs?: number | null;
  externalId: string;
  metadata?: Record<string, unknown>;
  occurredAt: Date;
}

export interface LeadWithHistory {
  lead: Pick<Lead, 'id' | 'name' | 'summary' | 'interactionCount'>;
  /** oldest first */
  recent: Array<Pick<LeadMessage, 'role' | 'channel' | 'body'>>;
  total: number;
}

/** An SMS/WhatsApp message that came in; its MessageSid (`externalId`) makes a retried webhook a no-op. */
export interface NewInboundText {
  tenantId: string;
  leadId: string;
  channel: TextChannel;
  body: string;
  externalId: string;
  segments: number;
  metadata: Record<string, unknown>;
  occurredAt: Date;
}

/** An SMS/WhatsApp message Twilio accepted from us, under its sid (`externalId`) and first status. */
export interface NewOutboundText {
  tenantId: string;
  leadId: string;
  channel: TextChannel;
  role: MessageRole;
  body: string;
  externalId: string;
  status: string;
  segments: number;
  metadata: Record<string, unknown>;
  occurredAt: Date;
}

/** What a lead's incoming message does to its consent: STOP opts out, START opts back in. */
export type ConsentChange = 'opt_out' | 'opt_in' | null;

/** A text message a delivery status moved forward, with what deciding on a resend needs. */
export interface DeliveryMarked {
  id: string;
  tenantId: string;
  leadId: string;
  /** Attempts so far (1 before any resend). */
  attempts: number;
  /** Our number it was sent from. */
  from: string | null;
  /** The lead has opted out (STOP). */
  optedOut: boolean;
}

/** An outgoing text message claimed to be sent again (its `resend_at` cleared), with its lead's number and consent. */
export interface ClaimedResend {
  id: string;
  tenantId: string;
  leadId: string;
  channel: TextChannel;
  body: string;
  /** The sid of the attempt that failed. */
  externalId: string;
  attempts: number;
  from: string;
  phoneE164: string;
  optedOut: boolean;
}

const TIMELINE_COLUMNS = ['tenant_id', 'lead_id', 'call_id', 'channel', 'direction', 'role', 'body', 'offset_secs', 'external_id', 'metadata', 'occurred_at'];
// Rows per INSERT statement: well below PostgreSQL's 65535 bind-parameter limit.
const INSERT_CHUNK = 500;

// A status callback moves a message forward only: the rank of the stored status must be below the new one's.
const STORED_STATUS_RANK = `(CASE m.status ${Object.entries(SMS_STATUS_RANK)
  .map(([s, r]) => `WHEN '${s}' THEN ${r}`)
  .join(' ')} ELSE -1 END)`;

const OPTED_OUT_AFTER: Readonly<Record<'opt_out' | 'opt_in' | 'unchanged', string>> = { opt_out: 'now()', opt_in: 'NULL', unchanged: 'opted_out_at' };

const toId = (r: SqlRow) => text(r, 'id');

/** The affected-row count of a raw UPDATE/DELETE (TypeORM's postgres driver answers `[rows, count]`). */
function affectedCount(result: unknown): number {
  return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
}

const RECENT_MESSAGES_WITH_TOTAL = preparedStatement(
  'lead_messages_recent_with_total_v1',
  `SELECT id, channel, role, body, occurred_at, count(*) OVER () AS total FROM lead_messages
   WHERE tenant_id = $1 AND lead_id = $2 ORDER BY occurred_at DESC, id DESC LIMIT $3`,
);

/** Lead and timeline persistence. Every method takes the tenant id explicitly. */
@Injectable()
export class LeadsRepository {
  // On the incoming-call path: prepared (src/database/prepared-statement.ts), so columns are listed.
  private readonly findOrCreateStatement: PreparedStatement;

  constructor(
    @InjectRepository(Lead) private readonly leads: Repository<Lead>,
    @InjectRepository(LeadMessage) private readonly messages: Repository<LeadMessage>,
  ) {
    this.findOrCreateStatement = preparedStatement(
      'leads_find_or_create_v1',
      `INSERT INTO leads (tenant_id, phone_e164) VALUES ($1, $2)
       ON CONFLICT (tenant_id, phone_e164) DO UPDATE SET phone_e164 = EXCLUDED.phone_e164
       RETURNING ${columnsOf(leads.manager.connection, Lead)}`,
    );
  }

  /** The lead for (tenant, phone), created on first contact; one round trip, safe under races. */
  async findOrCreateByPhone(tenantId: string, phoneE164: string, manager: EntityManager = this.leads.manager): Promise<Lead> {
    const rows = await queryPrepared(manager, this.findOrCreateStatement, [tenantId, phoneE164]);
    return hydrate(manager, Lead, rows[0]);
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

  /**
   * The last `limit` entries (oldest first) and the size of the whole timeline, in one round trip:
   * the window count is taken over every row of the lead before LIMIT applies. On the call-setup path.
   */
  async recentMessagesWithTotal(tenantId: string, leadId: string, limit: number): Promise<{ recent: LeadMessage[]; total: number }> {
    const rows = await queryPrepared(this.messages.manager, RECENT_MESSAGES_WITH_TOTAL, [tenantId, leadId, limit]);
    const recent = mapRows(rows, (r) =>
      Object.assign(new LeadMessage(), {
        id: text(r, 'id'),
        tenantId,
        leadId,
        channel: oneOf(r, 'channel', MESSAGE_CHANNELS),
        role: oneOf(r, 'role', MESSAGE_ROLES),
        body: text(r, 'body'),
        occurredAt: date(r, 'occurred_at'),
      }),
    ).reverse();
    return { recent, total: firstRow(rows, (r) => int(r, 'total')) ?? 0 };
  }

  /**
   * The lead of (tenant, phone) with what its conversation context needs, the last `limit`
   * timeline entries (oldest first) and the timeline's size, in one query; null for a new number.
   */
  async findByPhoneWithHistory(tenantId: string, phoneE164: string, limit: number): Promise<LeadWithHistory | null> {
    return firstRow(
      await this.leads.query(
        `SELECT l.id, l.name, l.summary, l.interaction_count,
           (SELECT count(*)::int FROM lead_messages m WHERE m.tenant_id = l.tenant_id AND m.lead_id = l.id) AS total,
           (SELECT coalesce(json_agg(json_build_object('role', r.role, 'channel', r.channel, 'body', r.body) ORDER BY r.occurred_at, r.id), '[]'::json)
              FROM (SELECT id, role, channel, body, occurred_at FROM lead_messages m WHERE m.tenant_id = l.tenant_id AND m.lead_id = l.id
                    ORDER BY m.occurred_at DESC, m.id DESC LIMIT $3) r) AS recent
         FROM leads l WHERE l.tenant_id = $1 AND l.phone_e164 = $2`,
        [tenantId, phoneE164, limit],
      ),
      (r) => ({
        lead: { id: text(r, 'id'), name: textOrNull(r, 'name'), summary: textOrNull(r, 'summary'), interactionCount: int(r, 'interaction_count') },
        // json_agg: the entries as JSON objects, read like rows.
        recent: mapRows(r.recent, (e) => ({ role: oneOf(e, 'role', MESSAGE_ROLES), channel: oneOf(e, 'channel', MESSAGE_CHANNELS), body: text(e, 'body') })),
        total: int(r, 'total'),
      }),
    );
  }

  countMessages(tenantId: string, leadId: string): Promise<number> {
    return this.messages.countBy({ tenantId, leadId });
  }

  /**
   * Puts the lead under a human's control (no automatic replies) or hands it back; the previous
   * state is read under a row lock, so two requests at once announce one change. Undefined: no
   * such lead for the tenant.
   */
  async setHumanControl(
    manager: EntityManager,
    tenantId: string,
    leadId: string,
    enabled: boolean,
    operator: string | null,
  ): Promise<{ was: boolean } | undefined> {
    const previous = firstRow(
      await manager.query(
        `UPDATE leads l SET human_control = $3, human_operator = $4 FROM (SELECT id, human_control AS was FROM leads WHERE tenant_id = $1 AND id = $2 FOR UPDATE) old
         WHERE l.id = old.id RETURNING l.id, old.was`,
        [tenantId, leadId, enabled, enabled ? operator : null],
      ),
      (r) => ({ was: bool(r, 'was') }),
    );
    return previous ?? undefined;
  }

  /** Fills in the name and e-mail a booking or a conversation collected, where the lead has none yet. */
  async fillMissingContact(
    manager: EntityManager,
    lead: Pick<Lead, 'id' | 'tenantId' | 'name' | 'email'>,
    collected: { name?: string | null; email?: string | null },
  ): Promise<void> {
    const contact: Partial<Pick<Lead, 'name' | 'email'>> = {};
    if (!lead.name && collected.name) contact.name = collected.name;
    if (!lead.email && collected.email) contact.email = collected.email;
    if (Object.keys(contact).length > 0) await manager.update(Lead, { id: lead.id, tenantId: lead.tenantId }, contact);
  }

  /** The lead row, locked until the transaction ends (post-call processing of one lead is serialised). */
  lockById(manager: EntityManager, tenantId: string, leadId: string): Promise<Lead | null> {
    return manager.getRepository(Lead).findOne({ where: { id: leadId, tenantId }, lock: { mode: 'pessimistic_write' } });
  }

  /** Timeline entries, newest first, before an optional (occurredAt, id) position. */
  timeline(tenantId: string, leadId: string, limit: number, before?: { at: Date; id: string }): Promise<LeadMessage[]> {
    const qb = this.messages
      .createQueryBuilder('m')
      .where('m.tenant_id = :tenantId AND m.lead_id = :leadId', { tenantId, leadId })
      .orderBy('m.occurred_at', 'DESC')
      .addOrderBy('m.id', 'DESC')
      .take(limit);
    if (before) qb.andWhere('(m.occurred_at, m.id) < (:at, :id)', { at: before.at, id: before.id });
    return qb.getMany();
  }

  /** Writes entries that are not there yet (by external id); returns how many were new. */
  async insertTimelineEntries(manager: EntityManager, entries: readonly NewTimelineEntry[]): Promise<number> {
    let inserted = 0;
    for (let start = 0; start < entries.length; start += INSERT_CHUNK) {
      const chunk = entries.slice(start, start + INSERT_CHUNK);
      const params: unknown[] = [];
      const rows = chunk.map((e) => {
        const values = [
          e.tenantId,
          e.leadId,
          e.callId ?? null,
          e.channel,
          e.direction,
          e.role,
          e.body,
          e.offsetSecs ?? null,
          e.externalId,
          JSON.stringify(e.metadata ?? {}),
          e.occurredAt,
        ];
        const placeholders = values.map((v) => `$${params.push(v)}`);
        return `(${placeholders.join(', ')})`;
      });
      const ids = mapRows(
        await manager.query(
          `INSERT INTO lead_messages (${TIMELINE_COLUMNS.join(', ')}) VALUES ${rows.join(', ')}
         ON CONFLICT (tenant_id, external_id) WHERE external_id IS NOT NULL DO NOTHING RETURNING id`,
          params,
        ),
        toId,
      );
      inserted += ids.length;
    }
    return inserted;
  }

  /**
   * The post-call transcript replaces the turns the media bridge wrote live for the call (contract:
   * live rows carry metadata.source = 'live'); run inside the caller's transaction.
   */
  async replaceLiveTurns(
    manager: EntityManager,
    tenantId: string,
    callId: string,
    entries: readonly NewTimelineEntry[],
  ): Promise<{ removed: number; inserted: number }> {
    const removed = affectedCount(
      await manager.query(`DELETE FROM lead_messages WHERE tenant_id = $1 AND call_id = $2 AND metadata->>'source' = 'live'`, [tenantId, callId]),
    );
    const inserted = await this.insertTimelineEntries(manager, entries);
    return { removed, inserted };
  }

  /** A live agent turn the agent rewrote (it was cut off): the corrected text, the original kept in the metadata. */
  async correctTimelineEntry(tenantId: string, externalId: string, correction: { body: string; originalBody: string }): Promise<void> {
    await this.messages.query(`UPDATE lead_messages SET body = $3, metadata = metadata || $4::jsonb WHERE tenant_id = $1 AND external_id = $2`, [
      tenantId,
      externalId,
      correction.body,
      JSON.stringify({ corrected: true, originalText: correction.originalBody }),
    ]);
  }

  // SMS and WhatsApp (the messaging module): the messages of a lead's text thread, their delivery
  // statuses and resends, and what a message does to the lead (last contact, consent).

  /** Stores an incoming text message; its id, or null when it was stored before (a retried webhook). */
  async appendInboundText(manager: EntityManager, m: NewInboundText): Promise<string | null> {
    return firstRow(
      await manager.query(
        `INSERT INTO lead_messages (tenant_id, lead_id, channel, direction, role, body, external_id, status, segments, metadata, occurred_at)
         VALUES ($1, $2, $3, 'inbound', 'user', $4, $5, 'received', $6, $7, $8)
         ON CONFLICT (tenant_id, external_id) WHERE external_id IS NOT NULL DO NOTHING RETURNING id`,
        [m.tenantId, m.leadId, m.channel, m.body, m.externalId, m.segments, JSON.stringify(m.metadata), m.occurredAt],
      ),
      toId,
    );
  }

  /** An incoming message counts as an interaction and as the last contact, and may change the lead's consent. */
  async recordInboundContact(manager: EntityManager, tenantId: string, leadId: string, at: Date, consent: ConsentChange): Promise<void> {
    await manager.query(
      `UPDATE leads SET last_contact_at = $3, interaction_count = interaction_count + 1, opted_out_at = ${OPTED_OUT_AFTER[consent ?? 'unchanged']} WHERE tenant_id = $1 AND id = $2`,
      [tenantId, leadId, at],
    );
  }

  /** Stores an outgoing text message under its sid (a repeated sid keeps one row); returns its id. */
  async appendOutboundText(manager: EntityManager, m: NewOutboundText): Promise<string> {
    const id = firstRow(
      await manager.query(
        `INSERT INTO lead_messages (tenant_id, lead_id, channel, direction, role, body, external_id, status, segments, metadata, occurred_at)
         VALUES ($1, $2, $3, 'outbound', $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (tenant_id, external_id) WHERE external_id IS NOT NULL DO UPDATE SET body = EXCLUDED.body RETURNING id`,
        [m.tenantId, m.leadId, m.channel, m.role, m.body, m.externalId, m.status, m.segments, JSON.stringify(m.metadata), m.occurredAt],
      ),
      toId,
    );
    if (id === null) throw new RowShapeError('id', 'the row INSERT … ON CONFLICT DO UPDATE returns', null);
    return id;
  }

  async touchLastContact(manager: EntityManager, tenantId: string, leadId: string, at: Date): Promise<void> {
    await manager.query(`UPDATE leads SET last_contact_at = $3 WHERE tenant_id = $1 AND id = $2`, [tenantId, leadId, at]);
  }

  /**
   * A resend went out as a new Twilio message: the row takes its sid and status (so the failed
   * attempt's late callbacks no longer match it) and keeps the failed sid; only while the row still
   * carries `failedSid`.
   */
  async markResent(
    manager: EntityManager,
    m: { tenantId: string; messageId: string; failedSid: string; sid: string; status: string; attempt: number },
  ): Promise<void> {
    await manager.query(
      `UPDATE lead_messages SET external_id = $3, status = $4, error_code = NULL,
           metadata = metadata || jsonb_build_object('attempts', $5::int, 'previousSids', COALESCE(metadata->'previousSids', '[]'::jsonb) || to_jsonb($6::text))
         WHERE tenant_id = $1 AND id = $2 AND external_id = $6`,
      [m.tenantId, m.messageId, m.sid, m.status, m.attempt, m.failedSid],
    );
  }

  /**
   * A delivery status callback, in one conditional UPDATE: the message under `externalId` (of
   * `tenantId`, when the request's account names one) takes the status only if it ranks above the
   * stored one. Null: an unknown status, an unknown sid, or a status older than the stored one.
   */
  async markDelivery(u: { externalId: string; status: string; errorCode: number | null; tenantId: string | null }): Promise<DeliveryMarked | null> {
    const rank = statusRank(u.status);
    if (rank === undefined) return null;
    return firstRow(
      await this.messages.query(
        `UPDATE lead_messages m SET status = $2, error_code = COALESCE($3, m.error_code)
       FROM leads l
       WHERE m.external_id = $1 AND ($5::uuid IS NULL OR m.tenant_id = $5) AND l.id = m.lead_id AND l.tenant_id = m.tenant_id
         AND ${STORED_STATUS_RANK} < $4
       RETURNING m.id, m.tenant_id, m.lead_id, COALESCE((m.metadata->>'attempts')::int, 1) AS attempts, m.metadata->>'from' AS "from",
         (l.opted_out_at IS NOT NULL) AS opted_out`,
        [u.externalId, u.status, u.errorCode, rank, u.tenantId],
      ),
      (r) => ({
        id: text(r, 'id'),
        tenantId: text(r, 'tenant_id'),
        leadId: text(r, 'lead_id'),
        attempts: int(r, 'attempts'),
        from: textOrNull(r, 'from'),
        optedOut: bool(r, 'opted_out'),
      }),
    );
  }

  /** Schedules a resend after a transient failure: only while the row still carries the failed attempt's sid. */
  async scheduleResend(tenantId: string, messageId: string, failedSid: string, delayMs: number): Promise<void> {
    await this.messages.query(
      `UPDATE lead_messages SET resend_at = now() + make_interval(secs => $4::double precision / 1000)
         WHERE tenant_id = $1 AND id = $2 AND external_id = $3`,
      [tenantId, messageId, failedSid, delayMs],
    );
  }

  /**
   * Claims up to `limit` resends that are due, across tenants (a job queue): SKIP LOCKED, and
   * `resend_at` cleared in the same statement, so one caller takes a row, once.
   */
  async claimDueResends(limit: number): Promise<ClaimedResend[]> {
    return mapRows(
      await this.messages.query(
        `WITH due AS (
           SELECT id FROM lead_messages WHERE resend_at <= now() ORDER BY resend_at LIMIT $1 FOR UPDATE SKIP LOCKED
         )
         UPDATE lead_messages m SET resend_at = NULL
         FROM due, leads l
         WHERE m.id = due.id AND l.id = m.lead_id AND l.tenant_id = m.tenant_id
         RETURNING m.id, m.tenant_id, m.lead_id, m.channel, m.body, m.external_id, COALESCE((m.metadata->>'attempts')::int, 1) AS attempts,
           m.metadata->>'from' AS "from", l.phone_e164, (l.opted_out_at IS NOT NULL) AS opted_out`,
        [limit],
      ),
      (r) => ({
        id: text(r, 'id'),
        tenantId: text(r, 'tenant_id'),
        leadId: text(r, 'lead_id'),
        channel: oneOf(r, 'channel', TEXT_CHANNELS),
        body: text(r, 'body'),
        externalId: text(r, 'external_id'),
        attempts: int(r, 'attempts'),
        from: text(r, 'from'),
        phoneE164: text(r, 'phone_e164'),
        optedOut: bool(r, 'opted_out'),
      }),
    );
  }

  /** Flags a message in the timeline (`metadata.flag`: rate_limited, reply_failed, delivery_failed ...). */
  async flagMessage(tenantId: string, messageId: string, flag: string): Promise<void> {
    await this.messages.query(`UPDATE lead_messages SET metadata = metadata || jsonb_build_object('flag', $3::text) WHERE tenant_id = $1 AND id = $2`, [
      tenantId,
      messageId,
      flag,
    ]);
  }

  /**
   * The tenant's automatic text replies (outgoing agent or system messages in reply to one) in the
   * last `windowSecs`, counted in the database so every instance agrees.
   */
  async countAutoReplies(tenantId: string, windowSecs: number): Promise<number> {
    const n = firstRow(
      await this.messages.query(
        `SELECT count(*)::int AS n FROM lead_messages WHERE tenant_id = $1 AND direction = 'outbound' AND role IN ('agent', 'system')
         AND channel IN ('sms', 'whatsapp') AND metadata ? 'inReplyTo' AND occurred_at > now() - make_interval(secs => $2)`,
        [tenantId, windowSecs],
      ),
      (r) => int(r, 'n'),
    );
    return n ?? 0;
  }

  /** The channel of the lead's last incoming text message and our number it was sent to; null when it never wrote. */
  async lastInboundText(tenantId: string, leadId: string): Promise<{ channel: TextChannel; to: string | null } | null> {
    return firstRow(
      await this.messages.query(
        `SELECT channel, metadata->>'to' AS "to" FROM lead_messages WHERE tenant_id = $1 AND lead_id = $2 AND direction = 'inbound' AND channel IN ('sms', 'whatsapp')
       ORDER BY occurred_at DESC LIMIT 1`,
        [tenantId, leadId],
      ),
      (r) => ({ channel: oneOf(r, 'channel', TEXT_CHANNELS), to: textOrNull(r, 'to') }),
    );
  }
}
