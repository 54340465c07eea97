import { isJsonObject } from '../../common/json/json-object.js';
import { isRealtimeEventType, type RealtimeEvent, type RealtimeEventType } from './event-bus.port.js';

// Pure helpers for what travels between instances. PostgreSQL refuses NOTIFY payloads of 8000
// bytes or more (https://www.postgresql.org/docs/current/sql-notify.html), and both transports
// stay fast with small messages: data rides along only when it is small, otherwise receivers
// read the stored row by id.

/** Data up to this size (serialized) travels inside the notification. */
export const INLINE_DATA_MAX_BYTES = 1_500;
/** Events are facts for dashboards, not documents: larger data is replaced by a marker. */
export const MAX_EVENT_DATA_BYTES = 16_384;

/** What a notification carries. `data: null` means "read the row by id". */
export interface EventNotification {
  id: string;
  tenantId: string;
  type: RealtimeEventType;
  leadId: string | null;
  callId: string | null;
  occurredAt: string;
  data: Record<string, unknown> | null;
}

export interface BoundedData {
  json: string;
  inline: boolean;
  truncated: boolean;
}

/** Serializes event data once, enforcing the size contract. */
export function boundEventData(data: Record<string, unknown> | undefined | null): BoundedData {
  let json = JSON.stringify(data && typeof data === 'object' ? data : {});
  let bytes = Buffer.byteLength(json);
  let truncated = false;
  if (bytes > MAX_EVENT_DATA_BYTES) {
    json = JSON.stringify({ truncated: true, bytes });
    bytes = Buffer.byteLength(json);
    truncated = true;
  }
  return { json, inline: bytes <= INLINE_DATA_MAX_BYTES, truncated };
}

export function toNotification(event: Required<Pick<RealtimeEvent, 'id' | 'occurredAt'>> & RealtimeEvent, inline: boolean): EventNotification {
  return {
    id: event.id,
    tenantId: event.tenantId,
    type: event.type,
    leadId: event.leadId ?? null,
    callId: event.callId ?? null,
    occurredAt: event.occurredAt,
    data: inline ? event.data : null,
  };
}

const ID = /^[1-9][0-9]{0,15}$/;

/** Parses a notification; undefined for anything malformed (never throws on foreign input). */
export function parseNotification(raw: string): EventNotification | undefined {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isJsonObject(v)) return undefined;
  // A type this build does not know is malformed here, as in the table (realtime-events.repository.ts).
  if (typeof v.id !== 'string' || !ID.test(v.id) || typeof v.tenantId !== 'string' || typeof v.type !== 'string' || !isRealtimeEventType(v.type)) {
    return undefined;
  }
  const data = isJsonObject(v.data) ? v.data : null;
  return {
    id: v.id,
    tenantId: v.tenantId,
    type: v.type,
    leadId: typeof v.leadId === 'string' ? v.leadId : null,
    callId: typeof v.callId === 'string' ? v.callId : null,
    occurredAt: typeof v.occurredAt === 'string' ? v.occurredAt : new Date().toISOString(),
    data,
  };
}

/** A complete notification as the event subscribers receive. */
export function notificationToEvent(n: EventNotification & { data: Record<string, unknown> }): RealtimeEvent {
  return { id: n.id, tenantId: n.tenantId, type: n.type, leadId: n.leadId, callId: n.callId, occurredAt: n.occurredAt, data: n.data };
}
