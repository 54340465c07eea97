import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { LeadMessage, MESSAGE_CHANNELS, MESSAGE_ROLES, type MessageChannel, type MessageDirection, type MessageRole } from './lead-message.entity.js';
import { Lead } from './lead.entity.js';
import { hydrate } from '../../database/hydrate.js';
import { columnsOf, PreparedStatement, preparedStatement, queryPrepared } from '../../database/prepared-statement.js';
import { bool, date, firstRow, int, mapRows, oneOf, type SqlRow, text, textOrNull } from '../../database/sql-row.js';

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

const TIMELINE_COLUMNS = ['tenant_id', 'lead_id', 'call_id', 'channel', 'direction', 'role', 'body', 'offset_secs', 'external_id', 'metadata', 'occurred_at'];
// Rows per INSERT statement: well below PostgreSQL's 65535 bind-parameter limit.
const INSERT_CHUNK = 500;

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
}
