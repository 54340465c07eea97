import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { RealtimeEvent, RealtimeEventType } from './event-bus.port.js';
import type { BoundedData } from './event-payload.js';
import { preparedStatement, queryPrepared } from '../../database/prepared-statement.js';

/** An event as stored: id and time assigned by the database. */
export type StoredEvent = RealtimeEvent & { id: string; occurredAt: string };

export interface InsertOptions {
  manager?: EntityManager;
  /** Also NOTIFY this channel in the same statement (so at the same commit). */
  notifyChannel?: string;
}

// ISO-8601 in UTC with milliseconds, the same text whether it comes from the row or a notification.
const ISO = `to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const COLUMNS = `e.id::text AS id, e.tenant_id, e.type, e.lead_id, e.call_id, e.data, ${ISO} AS occurred_at`;

// Every event is one of these (prepared: src/database/prepared-statement.ts).
const insertSql = (notify: string) => `WITH e AS (
   INSERT INTO realtime_events (tenant_id, type, lead_id, call_id, data, occurred_at)
   VALUES ($1, $2, $3, $4, $5::jsonb, LEAST(COALESCE($6::timestamptz, clock_timestamp()), clock_timestamp()))
   RETURNING *
 )
 SELECT ${COLUMNS}${notify} FROM e`;
const INSERT = preparedStatement('realtime_events_insert_v1', insertSql(''));
// The notification carries the event (its data only when small enough: $8) and leaves at commit.
const INSERT_AND_NOTIFY = preparedStatement(
  'realtime_events_insert_notify_v1',
  insertSql(`, pg_notify($7, json_build_object('id', e.id::text, 'tenantId', e.tenant_id, 'type', e.type, 'leadId', e.lead_id,
   'callId', e.call_id, 'occurredAt', ${ISO}, 'data', CASE WHEN $8::boolean THEN e.data END)::text) AS notified`),
);

interface Row {
  id: string;
  tenant_id: string;
  type: string;
  lead_id: string | null;
  call_id: string | null;
  data: Record<string, unknown>;
  occurred_at: string;
}

function toEvent(row: Row): StoredEvent {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    type: row.type as RealtimeEventType,
    leadId: row.lead_id,
    callId: row.call_id,
    data: row.data ?? {},
    occurredAt: row.occurred_at,
  };
}

/**
 * The realtime_events table (the replay log). Queries are plain SQL: the insert and its NOTIFY
 * must be one statement, and replay must read index ranges in id order.
 */
@Injectable()
export class RealtimeEventsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores an event and returns it with its id. With a manager the insert joins the producer's
   * transaction; with a notify channel the notification leaves at that transaction's commit.
   */
  async insert(event: RealtimeEvent, data: BoundedData, options: InsertOptions = {}): Promise<StoredEvent> {
    const manager = options.manager ?? this.dataSource.manager;
    // A producer's clock or a backdated time never lands in the future (pruning walks ids in time order).
    const occurredAt = event.occurredAt && !Number.isNaN(Date.parse(event.occurredAt)) ? event.occurredAt : null;
    const params: unknown[] = [event.tenantId, event.type, event.leadId ?? null, event.callId ?? null, data.json, occurredAt];
    if (options.notifyChannel) params.push(options.notifyChannel, data.inline);
    const rows = await queryPrepared<Row>(manager, options.notifyChannel ? INSERT_AND_NOTIFY : INSERT, params);
    return toEvent(rows[0]);
  }

  async findById(id: string): Promise<StoredEvent | undefined> {
    const rows: Row[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM realtime_events e WHERE e.id = $1`, [id]);
    return rows[0] ? toEvent(rows[0]) : undefined;
  }

  /** Every tenant's events after an id (an instance catching up after its subscription broke). */
  async after(afterId: number, limit: number): Promise<StoredEvent[]> {
    const rows: Row[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM realtime_events e WHERE e.id > $1 ORDER BY e.id LIMIT $2`, [afterId, limit]);
    return rows.map(toEvent);
  }

  /** One tenant's (or one lead's) events after an id, in id order: the Last-Event-ID replay. */
  async replay(tenantId: string, leadId: string | null, afterId: string, limit: number): Promise<StoredEvent[]> {
    const rows: Row[] = leadId
      ? await this.dataSource.query(
          `SELECT ${COLUMNS} FROM realtime_events e WHERE e.tenant_id = $1 AND e.lead_id = $2 AND e.id > $3 ORDER BY e.id LIMIT $4`,
          [tenantId, leadId, afterId, limit],
        )
      : await this.dataSource.query(`SELECT ${COLUMNS} FROM realtime_events e WHERE e.tenant_id = $1 AND e.id > $2 ORDER BY e.id LIMIT $3`, [tenantId, afterId, limit]);
    return rows.map(toEvent);
  }

  async maxId(): Promise<number> {
    const [row] = await this.dataSource.query(`SELECT coalesce(max(id), 0)::text AS id FROM realtime_events`);
    return Number(row.id);
  }

  /** The oldest id still kept (0 when empty): a replay from before it may have lost pruned events. */
  async minId(): Promise<number> {
    const [row] = await this.dataSource.query(`SELECT coalesce(min(id), 0)::text AS id FROM realtime_events`);
    return Number(row.id);
  }

  /**
   * Deletes events older than the cutoff, in batches. Ids grow with time, so the first row newer
   * than the cutoff (found by walking the primary key from the oldest row, which touches only the
   * rows about to go) bounds an id-range delete: no index on occurred_at is needed.
   */
  async pruneOlderThan(cutoff: Date, batchSize = 5_000): Promise<number> {
    const [first] = await this.dataSource.query(`SELECT id::text AS id FROM realtime_events WHERE occurred_at >= $1 ORDER BY id LIMIT 1`, [cutoff]);
    const boundary = first ? first.id : String((await this.maxId()) + 1);
    let total = 0;
    for (;;) {
      const [{ n }] = await this.dataSource.query(
        `WITH d AS (DELETE FROM realtime_events WHERE id IN (SELECT id FROM realtime_events WHERE id < $1 ORDER BY id LIMIT $2) RETURNING 1)
         SELECT count(*)::int AS n FROM d`,
        [boundary, batchSize],
      );
      total += n;
      if (n < batchSize) return total;
    }
  }
}
