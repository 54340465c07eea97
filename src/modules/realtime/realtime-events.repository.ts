import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { REALTIME_EVENT_TYPES, type RealtimeEvent } from './event-bus.port.js';
import type { BoundedData } from './event-payload.js';
import { preparedStatement, queryPrepared } from '../../database/prepared-statement.js';
import { firstRow, int, jsonObjectOrNull, mapRows, oneOf, oneRow, type SqlRow, text, textOrNull } from '../../database/sql-row.js';

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

// A batch in one statement. Rows are inserted in the batch's order (ORDER BY ord), so the ids the
// sequence hands out increase in that order: numbered by id, row n is the batch's n-th event, which
// is how each gets its own `inline` flag. Results and notifications go out in id order.
const insertManySql = (notify: string) => `WITH input AS (
   SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::uuid[], $4::uuid[], $5::jsonb[], $6::timestamptz[], $7::boolean[])
     WITH ORDINALITY AS i(tenant_id, type, lead_id, call_id, data, occurred_at, inline, ord)
 ), e AS (
   INSERT INTO realtime_events (tenant_id, type, lead_id, call_id, data, occurred_at)
   SELECT tenant_id, type, lead_id, call_id, data, LEAST(COALESCE(occurred_at, clock_timestamp()), clock_timestamp()) FROM input ORDER BY ord
   RETURNING id, tenant_id, type, lead_id, call_id, data, occurred_at
 ), numbered AS (
   SELECT e.*, row_number() OVER (ORDER BY e.id) AS ord FROM e
 ), ordered AS (
   SELECT n.*, i.inline FROM numbered n JOIN input i ON i.ord = n.ord ORDER BY n.id
 )
 SELECT ${COLUMNS}${notify} FROM ordered e ORDER BY e.id`;
const INSERT_MANY = preparedStatement('realtime_events_insert_many_v1', insertManySql(''));
const INSERT_MANY_AND_NOTIFY = preparedStatement(
  'realtime_events_insert_many_notify_v1',
  insertManySql(`, pg_notify($8, json_build_object('id', e.id::text, 'tenantId', e.tenant_id, 'type', e.type, 'leadId', e.lead_id,
   'callId', e.call_id, 'occurredAt', ${ISO}, 'data', CASE WHEN e.inline THEN e.data END)::text) AS notified`),
);
const MAX_BATCH = 100;

interface NewEvent {
  event: RealtimeEvent;
  data: BoundedData;
  notifyChannel?: string;
}

interface PendingInsert extends NewEvent {
  resolve: (stored: StoredEvent) => void;
  reject: (err: unknown) => void;
}

// A producer's clock or a backdated time never lands in the future (pruning walks ids in time order).
function occurredAtOf(event: RealtimeEvent): string | null {
  return event.occurredAt && !Number.isNaN(Date.parse(event.occurredAt)) ? event.occurredAt : null;
}

// A row of COLUMNS. `type` is one this build knows: an unknown one fails loudly (RowShapeError).
function toEvent(row: SqlRow): StoredEvent {
  return {
    id: text(row, 'id'),
    tenantId: text(row, 'tenant_id'),
    type: oneOf(row, 'type', REALTIME_EVENT_TYPES),
    leadId: textOrNull(row, 'lead_id'),
    callId: textOrNull(row, 'call_id'),
    data: jsonObjectOrNull(row, 'data') ?? {},
    occurredAt: text(row, 'occurred_at'),
  };
}

const toId = (row: SqlRow): string => text(row, 'id');
const toCount = (row: SqlRow): number => int(row, 'n');

/**
 * The realtime_events table (the replay log). Queries are plain SQL: the insert and its NOTIFY
 * must be one statement, and replay must read index ranges in id order.
 */
@Injectable()
export class RealtimeEventsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private pending: PendingInsert[] = [];
  private flushing = false;

  /**
   * Stores an event and returns it with its id. With a manager the insert joins the producer's
   * transaction; with a notify channel the notification leaves at that transaction's commit.
   *
   * Without a manager (the fire-and-forget publishes of webhooks and the media bridge), events
   * share statements: one insert is in flight at a time and whatever is published meanwhile goes
   * into the next one, as one multi-row INSERT and one commit. A lone event goes at once; under
   * load this halves the database work per status callback (bench/twilio-webhooks). Ids follow the
   * order of publishing.
   */
  insert(event: RealtimeEvent, data: BoundedData, options: InsertOptions = {}): Promise<StoredEvent> {
    if (options.manager) return this.insertOne(options.manager, { event, data, notifyChannel: options.notifyChannel });
    return new Promise<StoredEvent>((resolve, reject) => {
      this.pending.push({ event, data, notifyChannel: options.notifyChannel, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.takeBatch();
        try {
          const stored = batch.length === 1 ? [await this.insertOne(this.dataSource.manager, batch[0])] : await this.insertMany(batch);
          batch.forEach((p, i) => p.resolve(stored[i]));
        } catch (err) {
          // One bad event (say, of a tenant deleted meanwhile) must not cost its neighbours: one by one.
          if (batch.length === 1) batch[0].reject(err);
          else for (const p of batch) await this.insertOne(this.dataSource.manager, p).then(p.resolve, p.reject);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** The oldest pending events that share a notify channel, at most MAX_BATCH. */
  private takeBatch(): PendingInsert[] {
    const channel = this.pending[0].notifyChannel;
    let n = 1;
    while (n < this.pending.length && n < MAX_BATCH && this.pending[n].notifyChannel === channel) n++;
    return this.pending.splice(0, n);
  }

  private async insertOne(manager: EntityManager, p: NewEvent): Promise<StoredEvent> {
    const params: unknown[] = [p.event.tenantId, p.event.type, p.event.leadId ?? null, p.event.callId ?? null, p.data.json, occurredAtOf(p.event)];
    if (p.notifyChannel) params.push(p.notifyChannel, p.data.inline);
    return oneRow(await queryPrepared(manager, p.notifyChannel ? INSERT_AND_NOTIFY : INSERT, params), toEvent);
  }

  private async insertMany(batch: NewEvent[]): Promise<StoredEvent[]> {
    const params: unknown[] = [
      batch.map((p) => p.event.tenantId),
      batch.map((p) => p.event.type),
      batch.map((p) => p.event.leadId ?? null),
      batch.map((p) => p.event.callId ?? null),
      batch.map((p) => p.data.json),
      batch.map((p) => occurredAtOf(p.event)),
      batch.map((p) => p.data.inline),
    ];
    const channel = batch[0].notifyChannel;
    if (channel) params.push(channel);
    // Rows come back in id order, which is the batch's order (see INSERT_MANY).
    return mapRows(await queryPrepared(this.dataSource.manager, channel ? INSERT_MANY_AND_NOTIFY : INSERT_MANY, params), toEvent);
  }

  async findById(id: string): Promise<StoredEvent | undefined> {
    return firstRow(await this.dataSource.query(`SELECT ${COLUMNS} FROM realtime_events e WHERE e.id = $1`, [id]), toEvent) ?? undefined;
  }

  /** Every tenant's events after an id (an instance catching up after its subscription broke). */
  async after(afterId: number, limit: number): Promise<StoredEvent[]> {
    return mapRows(await this.dataSource.query(`SELECT ${COLUMNS} FROM realtime_events e WHERE e.id > $1 ORDER BY e.id LIMIT $2`, [afterId, limit]), toEvent);
  }

  /** One tenant's (or one lead's) events after an id, in id order: the Last-Event-ID replay. */
  async replay(tenantId: string, leadId: string | null, afterId: string, limit: number): Promise<StoredEvent[]> {
    const result: unknown = leadId
      ? await this.dataSource.query(`SELECT ${COLUMNS} FROM realtime_events e WHERE e.tenant_id = $1 AND e.lead_id = $2 AND e.id > $3 ORDER BY e.id LIMIT $4`, [
          tenantId,
          leadId,
          afterId,
          limit,
        ])
      : await this.dataSource.query(`SELECT ${COLUMNS} FROM realtime_events e WHERE e.tenant_id = $1 AND e.id > $2 ORDER BY e.id LIMIT $3`, [
          tenantId,
          afterId,
          limit,
        ]);
    return mapRows(result, toEvent);
  }

  async maxId(): Promise<number> {
    return Number(oneRow(await this.dataSource.query(`SELECT coalesce(max(id), 0)::text AS id FROM realtime_events`), toId));
  }

  /** The oldest id still kept (0 when empty): a replay from before it may have lost pruned events. */
  async minId(): Promise<number> {
    return Number(oneRow(await this.dataSource.query(`SELECT coalesce(min(id), 0)::text AS id FROM realtime_events`), toId));
  }

  /**
   * Deletes events older than the cutoff, in batches. Ids grow with time, so the first row newer
   * than the cutoff (found by walking the primary key from the oldest row, which touches only the
   * rows about to go) bounds an id-range delete: no index on occurred_at is needed.
   */
  async pruneOlderThan(cutoff: Date, batchSize = 5_000): Promise<number> {
    const first = firstRow(
      await this.dataSource.query(`SELECT id::text AS id FROM realtime_events WHERE occurred_at >= $1 ORDER BY id LIMIT 1`, [cutoff]),
      toId,
    );
    const boundary = first ?? String((await this.maxId()) + 1);
    let total = 0;
    for (;;) {
      const n = oneRow(
        await this.dataSource.query(
          `WITH d AS (DELETE FROM realtime_events WHERE id IN (SELECT id FROM realtime_events WHERE id < $1 ORDER BY id LIMIT $2) RETURNING 1)
         SELECT count(*)::int AS n FROM d`,
          [boundary, batchSize],
        ),
        toCount,
      );
      total += n;
      if (n < batchSize) return total;
    }
  }
}
