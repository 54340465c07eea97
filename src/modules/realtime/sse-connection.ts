import type { RealtimeEvent } from './event-bus.port.js';
import { formatComment, formatEventFrame } from './sse-format.js';

/** The part of http.ServerResponse a connection writes to (a fake in unit tests). */
export interface SseSink {
  write(chunk: string): boolean;
  readonly writableLength: number;
  readonly writableFinished?: boolean;
  end(): void;
  destroy(): void;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  removeListener(event: 'drain' | 'close', listener: () => void): unknown;
}

export type CloseReason = 'client' | 'slow' | 'shutdown' | 'draining' | 'resync' | 'error';

export interface SseLimits {
  /** Bytes queued for the client (Node's buffer above the kernel's) before it is dropped. */
  maxQueueBytes: number;
  /** Live events held while the replay is still being written. */
  maxHeldEvents: number;
}

// Ending politely flushes what is queued; a client that does not read it within this time is cut.
const END_GRACE_MS = 1_000;

/**
 * One subscriber. It starts in replay mode: live events are held while the missed ones are read
 * from the table and written; goLive() then writes the held ones the replay did not already
 * contain (so nothing is lost or repeated across the switch) and later events go straight out.
 * A client that stops reading is dropped once its queue passes the limit: memory stays bounded,
 * and its EventSource reconnects with Last-Event-ID and loses nothing.
 */
export class SseConnection {
  private mode: 'replaying' | 'live' | 'closed' = 'replaying';
  private held: RealtimeEvent[] | null = [];

  constructor(
    readonly tenantId: string,
    readonly leadId: string | null,
    private readonly sink: SseSink,
    private readonly limits: SseLimits,
    private readonly onClose: (connection: SseConnection, reason: CloseReason) => void,
  ) {}

  get closed(): boolean {
    return this.mode === 'closed';
  }

  matches(event: RealtimeEvent): boolean {
    return event.tenantId === this.tenantId && (this.leadId === null || event.leadId === this.leadId);
  }

  /** Live fan-out from the hub; `frame` is formatted once and shared by every receiving connection. */
  push(event: RealtimeEvent, frame: string): void {
    if (this.mode === 'live') return this.write(frame);
    if (this.mode === 'closed' || !this.held) return;
    if (this.held.length >= this.limits.maxHeldEvents) return this.close('slow');
    this.held.push(event);
  }

  /** Replay writes wait for the client to take them; false once the connection is gone. */
  async writeAndWait(chunk: string): Promise<boolean> {
    if (this.closed) return false;
    if (this.sink.write(chunk)) return true;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.sink.removeListener('drain', done);
        this.sink.removeListener('close', done);
        resolve();
      };
      this.sink.once('drain', done);
      this.sink.once('close', done);
    });
    return !this.closed;
  }

  goLive(replayedIds: ReadonlySet<string>): void {
    if (this.mode !== 'replaying') return;
    const held = this.held ?? [];
    this.held = null;
    this.mode = 'live';
    for (const event of held) {
      if (!replayedIds.has(String(event.id))) this.write(formatEventFrame(event));
    }
  }

  heartbeat(): void {
    this.write(formatComment('ping'));
  }

  write(chunk: string): void {
    if (this.closed) return;
    this.sink.write(chunk);
    if (this.sink.writableLength > this.limits.maxQueueBytes) this.close('slow');
  }

  close(reason: CloseReason): void {
    if (this.closed) return;
    this.mode = 'closed';
    this.held = null;
    if (reason === 'slow' || reason === 'error') {
      this.sink.destroy();
    } else if (reason !== 'client') {
      this.sink.end();
      setTimeout(() => {
        if (!this.sink.writableFinished) this.sink.destroy();
      }, END_GRACE_MS).unref();
    }
    this.onClose(this, reason);
  }
}
