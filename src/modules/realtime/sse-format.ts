import type { RealtimeEvent } from './event-bus.port.js';

// The text/event-stream wire format (https://html.spec.whatwg.org/multipage/server-sent-events.html).
// JSON.stringify never emits a raw line break, so every payload fits on one `data:` line.

const LINE_BREAKS = /[\r\n]/g;

/** One event: `id:` (what the client sends back as Last-Event-ID), `event:` (its type), `data:` (JSON). */
export function formatEventFrame(event: RealtimeEvent): string {
  const body = JSON.stringify({
    id: event.id,
    type: event.type,
    tenantId: event.tenantId,
    leadId: event.leadId ?? null,
    callId: event.callId ?? null,
    occurredAt: event.occurredAt,
    data: event.data,
  });
  return `id: ${String(event.id).replace(LINE_BREAKS, '')}\nevent: ${event.type.replace(LINE_BREAKS, '')}\ndata: ${body}\n\n`;
}

/** A control message without an id, so it never moves the client's Last-Event-ID. */
export function formatNotice(type: string, data: Record<string, unknown>): string {
  return `event: ${type.replace(LINE_BREAKS, '')}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A comment line: ignored by clients, keeps proxies from closing an idle connection. */
export function formatComment(text: string): string {
  return `: ${text.replace(LINE_BREAKS, ' ')}\n\n`;
}

export function formatRetry(ms: number): string {
  return `retry: ${Math.max(0, Math.round(ms))}\n\n`;
}

const EVENT_ID = /^(0|[1-9][0-9]{0,15})$/;

export type LastEventIdVerdict = { ok: true; id?: string } | { ok: false };

/**
 * The position a client resumes from: the `Last-Event-ID` header (what EventSource sends when it
 * reconnects) wins over `?lastEventId=` (for clients that cannot set headers, and whose URL keeps
 * the first value it was opened with).
 */
export function parseLastEventId(header: string | string[] | undefined, query: string | undefined): LastEventIdVerdict {
  const fromHeader = Array.isArray(header) ? header[0] : header;
  const value = fromHeader?.trim() ? fromHeader.trim() : query?.trim() ? query.trim() : undefined;
  if (value === undefined) return { ok: true };
  return EVENT_ID.test(value) ? { ok: true, id: value } : { ok: false };
}
