import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';

// A small Server-Sent Events client over real HTTP, parsing the wire format the way EventSource
// does (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation):
// `id:`/`event:`/`data:`/`retry:` fields, `:` comments, a blank line dispatches. It does not
// reconnect by itself: tests reconnect explicitly with Last-Event-ID.

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

export interface SseStream {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body of a non-200 answer (JSON error). */
  body?: string;
  events: SseEvent[];
  comments: string[];
  retry?: number;
  /** The id of the last event that carried one (what EventSource would send as Last-Event-ID). */
  lastEventId?: string;
  ended: boolean;
  /** Resolves when the server ends the stream or the connection closes. */
  closed: Promise<void>;
  waitFor(predicate: (s: SseStream) => boolean, timeoutMs?: number, what?: string): Promise<void>;
  /** Events of the given type (all types when omitted), once at least `count` have arrived. */
  waitForEvents(count: number, type?: string, timeoutMs?: number): Promise<SseEvent[]>;
  close(): void;
}

export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { accept: 'text/event-stream', ...headers } });
    request.on('error', reject);
    request.on('response', (res) => {
      const waiters = new Set<() => void>();
      const notify = () => waiters.forEach((w) => w());
      let closedResolve!: () => void;
      const stream: SseStream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events: [],
        comments: [],
        ended: false,
        closed: new Promise<void>((r) => (closedResolve = r)),
        waitFor(predicate, timeoutMs = 10_000, what = 'condition') {
          return new Promise<void>((ok, fail) => {
            const check = () => {
              if (predicate(stream)) {
                cleanup();
                ok();
              } else if (stream.ended) {
                cleanup();
                fail(new Error(`SSE stream ended before ${what} (events: ${stream.events.length})`));
              }
            };
            const timer = setTimeout(() => {
              cleanup();
              fail(new Error(`Timed out waiting for ${what} (events: ${stream.events.length})`));
            }, timeoutMs);
            const cleanup = () => {
              clearTimeout(timer);
              waiters.delete(check);
            };
            waiters.add(check);
            check();
          });
        },
        async waitForEvents(count, type, timeoutMs) {
          const of = () => stream.events.filter((e) => !type || e.event === type);
          await stream.waitFor(() => of().length >= count, timeoutMs, `${count} ${type ?? ''} event(s)`);
          return of();
        },
        close() {
          request.destroy();
        },
      };
      const finish = () => {
        if (stream.ended) return;
        stream.ended = true;
        closedResolve();
        notify();
      };
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
      res.setEncoding('utf8');
      if (stream.status !== 200) {
        let body = '';
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          stream.body = body;
          resolve(stream);
        });
        return;
      }

      let buffer = '';
      let current: { id?: string; event?: string; data: string[] } = { data: [] };
      const line = (text: string) => {
        if (text === '') {
          if (current.data.length > 0) {
            const event = { id: current.id, event: current.event ?? 'message', data: current.data.join('\n') };
            if (event.id !== undefined) stream.lastEventId = event.id;
            stream.events.push(event);
          }
          current = { data: [] };
          return;
        }
        if (text.startsWith(':')) return void stream.comments.push(text.slice(1).trim());
        const colon = text.indexOf(':');
        const field = colon < 0 ? text : text.slice(0, colon);
        const value = colon < 0 ? '' : text.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') current.id = value;
        else if (field === 'event') current.event = value;
        else if (field === 'data') current.data.push(value);
        else if (field === 'retry' && /^\d+$/.test(value)) stream.retry = Number(value);
      };
      res.on('data', (chunk: string) => {
        buffer += chunk;
        const lines = buffer.split(/\r\n|\r|\n/);
        buffer = lines.pop() ?? '';
        lines.forEach(line);
        notify();
      });
      resolve(stream);
    });
  });
}

/** Parses an event's JSON data. */
export function eventData<T = Record<string, unknown>>(event: SseEvent): T {
  return JSON.parse(event.data) as T;
}
