import type { EntityManager } from 'typeorm';

/** What dashboards see: one fact about a tenant's conversations, small enough for pub/sub. */
export interface RealtimeEvent {
  /** Increasing id (assigned when the event is stored); the SSE `id:` for Last-Event-ID replay. */
  id?: string;
  tenantId: string;
  type: RealtimeEventType;
  leadId?: string | null;
  callId?: string | null;
  data: Record<string, unknown>;
  occurredAt?: string;
}

export const REALTIME_EVENT_TYPES = [
  'call.incoming',
  'call.started',
  'call.status',
  'call.ended',
  'call.transcript',
  'call.interruption',
  'call.tool',
  'sms.received',
  'sms.sent',
  'sms.status',
  'lead.updated',
  'takeover.started',
  'takeover.ended',
  'appointment.booked',
  'alert',
] as const;
export type RealtimeEventType = (typeof REALTIME_EVENT_TYPES)[number];

const KNOWN_TYPES: ReadonlySet<string> = new Set(REALTIME_EVENT_TYPES);

export function isRealtimeEventType(value: string): value is RealtimeEventType {
  return KNOWN_TYPES.has(value);
}

export interface PublishOptions {
  /**
   * The producer's EntityManager. Inside a transaction the event row is written through it and
   * subscribers hear of the event only when that transaction commits (never on rollback). Pass it
   * whenever you publish inside a transaction: on the embedded database any other connection
   * would wait for the transaction forever.
   */
  manager?: EntityManager;
}

/**
 * The port every producer (webhooks, media bridge, leads) publishes through; adapters decide how
 * events reach subscribers on every instance (in-process, PostgreSQL NOTIFY, Redis). Every
 * adapter stores the event first (the replay log behind SSE `Last-Event-ID`).
 *
 * `publish` without a manager never rejects: a lost live event must not fail the business
 * operation (the failure is logged and counted). With a manager, a failed insert rejects, because
 * it has already aborted the producer's transaction.
 */
export interface EventBus {
  publish(event: RealtimeEvent, options?: PublishOptions): Promise<void>;
  subscribe(handler: (event: RealtimeEvent) => void): () => void;
}

export const EVENT_BUS = Symbol('EVENT_BUS');
