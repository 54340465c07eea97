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

export type RealtimeEventType =
  | 'call.started'
  | 'call.status'
  | 'call.ended'
  | 'call.transcript'
  | 'call.interruption'
  | 'call.tool'
  | 'sms.received'
  | 'sms.sent'
  | 'sms.status'
  | 'lead.updated'
  | 'takeover.started'
  | 'takeover.ended'
  | 'appointment.booked'
  | 'alert';

/**
 * The port every producer (webhooks, media bridge, leads) publishes through; adapters decide how
 * events reach subscribers on every instance (in-process, PostgreSQL NOTIFY, Redis).
 */
export interface EventBus {
  publish(event: RealtimeEvent): Promise<void>;
  subscribe(handler: (event: RealtimeEvent) => void): () => void;
}

export const EVENT_BUS = Symbol('EVENT_BUS');
