import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  date,
  dateOrNull,
  firstRow,
  int,
  jsonObjectOrNull,
  mapRows,
  oneOf,
  rowsOf,
  RowShapeError,
  type SqlRow,
  text,
  textOrNull,
} from '../../../database/sql-row.js';
import { INBOX_STATUSES, type InboxStatus, type WebhookInboxEvent } from './webhook-inbox.entity.js';

export interface NewInboxEvent {
  provider: string;
  eventType: string;
  externalId: string;
  payload: Record<string, unknown>;
  source: 'webhook' | 'reconciliation';
  /** Events that are stored only to be visible (e.g. an unmatched live event) start as 'unmatched'. */
  status?: InboxStatus;
  lastError?: string | null;
}

export interface InboxListItem {
  id: string;
  provider: string;
  eventType: string;
  externalId: string;
  status: InboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  source: string;
  tenantId: string | null;
  callId: string | null;
  receivedAt: Date;
  processedAt: Date | null;
}

export type InboxEventDetail = InboxListItem & { payload: Record<string, unknown> };

const LIST_COLUMNS = `id, provider, event_type AS "eventType", external_id AS "externalId", status, attempts, next_attempt_at AS "nextAttemptAt",
  last_error AS "lastError", source, tenant_id AS "tenantId", call_id AS "callId", received_at AS "receivedAt", processed_at AS "processedAt"`;

/** A row of LIST_COLUMNS. */
function toListItem(r: SqlRow): InboxListItem {
  return {
    id: text(r, 'id'),
    provider: text(r, 'provider'),
    eventType: text(r, 'eventType'),
    externalId: text(r, 'externalId'),
    status: oneOf(r, 'status', INBOX_STATUSES),
    attempts: int(r, 'attempts'),
    nextAttemptAt: date(r, 'nextAttemptAt'),
    lastError: textOrNull(r, 'lastError'),
    source: text(r, 'source'),
    tenantId: textOrNull(r, 'tenantId'),
    callId: textOrNull(r, 'callId'),
    receivedAt: date(r, 'receivedAt'),
    processedAt: dateOrNull(r, 'processedAt'),
  };
}

/** The stored event (a jsonb object, never null). */
function payloadOf(r: SqlRow): Record<string, unknown> {
  const payload = jsonObjectOrNull(r, 'payload');
  if (payload === null) throw new RowShapeError('payload', 'a JSON object', null);
  return payload;
}

const CLAIMED_COLUMNS = `id, provider, event_type, external_id, status, attempts, next_attempt_at, locked_until, last_error, source, payload,
  tenant_id, call_id, received_at, processed_at, updated_at`;

/** A claimed row (CLAIMED_COLUMNS): the whole event, as its handler gets it. */
function toClaimed(r: SqlRow): WebhookInboxEvent {
  return {
    id: text(r, 'id'),
    provider: text(r, 'provider'),
    eventType: text(r, 'event_type'),
    externalId: text(r, 'external_id'),
    status: oneOf(r, 'status', INBOX_STATUSES),
    attempts: int(r, 'attempts'),
    nextAttemptAt: date(r, 'next_attempt_at'),
    lockedUntil: dateOrNull(r, 'locked_until'),
    lastError: textOrNull(r, 'last_error'),
    source: text(r, 'source'),
    payload: payloadOf(r),
    tenantId: textOrNull(r, 'tenant_id'),
    callId: textOrNull(r, 'call_id'),
    receivedAt: date(r, 'received_at'),
    processedAt: dateOrNull(r, 'processed_at'),
    updatedAt: date(r, 'updated_at'),
  };
}

const toId = (r: SqlRow): string => text(r, 'id');

/**
 * The webhook inbox in SQL. Claiming uses FOR UPDATE SKIP LOCKED so that any number of instances
 * can poll the same table and never take the same row; a claim is a lease (locked_until), so a
 * row held by an instance that died is picked up again once the lease runs out.
 */
@Injectable()
export class WebhookInboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Stores the event unless the same (provider, type, id) is already there. */
  async insert(event: NewInboxEvent): Promise<{ id: string | null; inserted: boolean }> {
    const id = firstRow(
      await this.dataSource.query(
        `INSERT INTO webhook_inbox (provider, event_type, external_id, payload, source, status, last_error)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)
       ON CONFLICT (provider, event_type, external_id) DO NOTHING RETURNING id`,
        [event.provider, event.eventType, event.externalId, JSON.stringify(event.payload), event.source, event.status ?? 'pending', event.lastError ?? null],
      ),
      toId,
    );
    return { id, inserted: id !== null };
  }

  async exists(provider: string, eventType: string, externalId: string): Promise<boolean> {
    const rows = rowsOf(
      await this.dataSource.query('SELECT 1 FROM webhook_inbox WHERE provider = $1 AND event_type = $2 AND external_id = $3', [
        provider,
        eventType,
        externalId,
      ]),
    );
    return rows.length > 0;
  }

  /** Takes up to `limit` due rows for this instance: pending ones, and processing ones whose lease expired. */
  async claimDue(limit: number, leaseSecs: number): Promise<WebhookInboxEvent[]> {
    const result: unknown = await this.dataSource.query(
      `UPDATE webhook_inbox SET status = 'processing', attempts = attempts + 1, locked_until = now() + make_interval(secs => $2), updated_at = now()
       WHERE id IN (
         SELECT id FROM webhook_inbox
         WHERE (status = 'pending' AND next_attempt_at <= now()) OR (status = 'processing' AND locked_until < now())
         ORDER BY next_attempt_at
         LIMIT $1
         FOR UPDATE SKIP LOCKED)
       RETURNING ${CLAIMED_COLUMNS}`,
      [limit, leaseSecs],
    );
    return mapRows(result, toClaimed);
  }

  async finish(id: string, status: 'done' | 'unmatched', result: { tenantId?: string | null; callId?: string | null; note?: string | null }): Promise<void> {
    await this.dataSource.query(
      `UPDATE webhook_inbox SET status = $2, tenant_id = COALESCE($3, tenant_id), call_id = COALESCE($4, call_id), last_error = $5,
         processed_at = now(), locked_until = NULL, updated_at = now() WHERE id = $1`,
      [id, status, result.tenantId ?? null, result.callId ?? null, result.note ?? null],
    );
  }

  async retryLater(id: string, error: string, delayMs: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE webhook_inbox SET status = 'pending', last_error = $2, next_attempt_at = now() + make_interval(secs => $3), locked_until = NULL, updated_at = now() WHERE id = $1`,
      [id, error, delayMs / 1000],
    );
  }

  async fail(id: string, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE webhook_inbox SET status = 'failed', last_error = $2, locked_until = NULL, processed_at = now(), updated_at = now() WHERE id = $1`,
      [id, error],
    );
  }

  /** Re-drive: a failed or unmatched event gets a fresh set of attempts. */
  async requeue(id: string): Promise<'requeued' | 'not_found' | 'not_retryable'> {
    const rows = rowsOf(
      await this.dataSource.query(
        `UPDATE webhook_inbox SET status = 'pending', attempts = 0, next_attempt_at = now(), locked_until = NULL, updated_at = now()
       WHERE id = $1 AND status IN ('failed', 'unmatched') RETURNING id`,
        [id],
      ),
    );
    if (rows.length > 0) return 'requeued';
    return (await this.get(id)) ? 'not_retryable' : 'not_found';
  }

  /** Events of a conversation that could not be matched before (e.g. audio that beat the transcript). */
  async requeueUnmatched(provider: string, externalId: string): Promise<number> {
    const rows = rowsOf(
      await this.dataSource.query(
        `UPDATE webhook_inbox SET status = 'pending', next_attempt_at = now(), updated_at = now()
       WHERE provider = $1 AND external_id = $2 AND status = 'unmatched' RETURNING id`,
        [provider, externalId],
      ),
    );
    return rows.length;
  }

  async list(opts: { status?: InboxStatus; limit: number; before?: { at: Date; id: string } }): Promise<InboxListItem[]> {
    const params: unknown[] = [opts.limit];
    const where: string[] = [];
    if (opts.status) where.push(`status = $${params.push(opts.status)}`);
    if (opts.before) where.push(`(received_at, id) < ($${params.push(opts.before.at)}, $${params.push(opts.before.id)})`);
    return mapRows(
      await this.dataSource.query(
        `SELECT ${LIST_COLUMNS} FROM webhook_inbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY received_at DESC, id DESC LIMIT $1`,
        params,
      ),
      toListItem,
    );
  }

  async get(id: string): Promise<InboxEventDetail | undefined> {
    const toDetail = (r: SqlRow): InboxEventDetail => ({ ...toListItem(r), payload: payloadOf(r) });
    return firstRow(await this.dataSource.query(`SELECT ${LIST_COLUMNS}, payload FROM webhook_inbox WHERE id = $1`, [id]), toDetail) ?? undefined;
  }

  /** Done events are kept for a while for inspection, then deleted. */
  async pruneDone(olderThanDays: number): Promise<number> {
    const rows = rowsOf(
      await this.dataSource.query(`DELETE FROM webhook_inbox WHERE status = 'done' AND processed_at < now() - make_interval(days => $1) RETURNING id`, [
        olderThanDays,
      ]),
    );
    return rows.length;
  }
}
