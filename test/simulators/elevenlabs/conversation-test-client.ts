import { WebSocket, type RawData } from 'ws';
import { rawDataToString } from '../ws-raw-data.js';
import type { JsonObject } from './fake-elevenlabs-types.js';

// A minimal conversation-socket client for specs and demos: records every server message,
// answers pings, and lets callers await a message or the close.

export type MessageMatcher = string | ((message: JsonObject) => boolean);

export interface CloseInfo {
  code: number;
  reason: string;
}

export interface ConversationTestClientOptions {
  /** Answer every `ping` with a `pong` immediately (default true). */
  autoPong?: boolean;
  timeoutMs?: number;
}

function matches(matcher: MessageMatcher, message: JsonObject): boolean {
  return typeof matcher === 'string' ? message.type === matcher : matcher(message);
}

export class ConversationTestClient {
  readonly messages: JsonObject[] = [];
  readonly closed: Promise<CloseInfo>;
  private readonly waiters = new Set<{ check: () => boolean }>();
  private closeInfo: CloseInfo | undefined;

  private constructor(
    readonly ws: WebSocket,
    private readonly autoPong: boolean,
  ) {
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
        this.notify();
      });
    });
    ws.on('message', (data: RawData) => this.onMessage(data));
  }

  /** Opens the socket; rejects with the HTTP status when the upgrade is refused. */
  static connect(url: string, options: ConversationTestClientOptions = {}): Promise<ConversationTestClient> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const client = new ConversationTestClient(ws, options.autoPong ?? true);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`connect to ${url} timed out`));
      }, options.timeoutMs ?? 2000);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve(client);
      });
      ws.once('unexpected-response', (_req, res) => {
        clearTimeout(timer);
        ws.terminate();
        reject(Object.assign(new Error(`Unexpected server response: ${res.statusCode}`), { statusCode: res.statusCode }));
      });
      ws.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  get closeCode(): number | undefined {
    return this.closeInfo?.code;
  }

  send(message: JsonObject | string): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  sendAudio(base64: string): void {
    this.ws.send(`{"user_audio_chunk":"${base64}"}`);
  }

  ofType(type: string): JsonObject[] {
    return this.messages.filter((m) => m.type === type);
  }

  /** Resolves with the first message (already received or future) matching, from index `from`. */
  waitForMessage(matcher: MessageMatcher, timeoutMs = 2000, from = 0): Promise<JsonObject> {
    return this.waitUntil(
      () => this.messages.slice(from).find((m) => matches(matcher, m)),
      timeoutMs,
      `message ${typeof matcher === 'string' ? matcher : 'matching predicate'}`,
    );
  }

  /** Resolves once `count` messages match. */
  waitForCount(matcher: MessageMatcher, count: number, timeoutMs = 2000): Promise<JsonObject[]> {
    return this.waitUntil(
      () => {
        const found = this.messages.filter((m) => matches(matcher, m));
        return found.length >= count ? found : undefined;
      },
      timeoutMs,
      `${count} messages`,
    );
  }

  waitForClose(timeoutMs = 2000): Promise<CloseInfo> {
    return this.waitUntil(() => this.closeInfo, timeoutMs, 'close');
  }

  close(code = 1000, reason = ''): Promise<CloseInfo> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code, reason);
    return this.closed;
  }

  terminate(): void {
    this.ws.terminate();
  }

  private onMessage(data: RawData): void {
    const message = JSON.parse(rawDataToString(data)) as JsonObject;
    this.messages.push(message);
    if (this.autoPong && message.type === 'ping') {
      const event = message.ping_event as { event_id: number };
      this.send({ type: 'pong', event_id: event.event_id });
    }
    this.notify();
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter.check();
  }

  private waitUntil<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const waiter = {
        check: () => {
          const value = probe();
          if (value === undefined) return false;
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(value);
          return true;
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(waiter);
      waiter.check();
    });
  }
}
