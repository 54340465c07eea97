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

export type CloseReason = 'client' | 'slow' | 'shutdown' | 'draining' | 'resync' | 'error' | 'revoked';

/**
 * What let a stream open, re-checked while it is open (RealtimeHub): the API key, if one was used,
 * must stay live, and the tenant active unless the admin key opened it.
 */
export interface StreamCredential {
  apiKeyId: string | null;
  requiresActiveTenant: boolean;
}

export interface SseLimits {
  /** Bytes queued for the client (Node's buffer above the kernel's) before it is dropped. */
  maxQueueBytes: number;
  /** Live events held while the replay is still being written. */
  maxHeldEvents: number;
}

// Ending politely flushes what is queued; a client that does not read it within this time is cut.
const END_GRACE_MS = 1_000;
// How long replayed ids are remembered after goLive() to drop their late live copies: longer than
// the transport can hold back a delivery (LISTEN reconnect backoff, capped at 30 s, then catch-up).
const REPLAYED_IDS_TTL_MS = 5 * 60_000;

/**
 * One subscriber. It starts in replay mode: live events are held while the missed ones are read
 * from the table and written; goLive() then writes the held ones the replay did not already
 * contain (so nothing is lost or repeated across the switch) and later events go straight out.
 * The live copy of a replayed event can also arrive *after* goLive(): the replay reads a row as
 * soon as it is committed, while the bus delivers it later (notification in flight, receiver
 * queue, a LISTEN reconnect's catch-up). Replayed ids not seen while holding are therefore kept
 * and their live copy dropped (each id is delivered live at most once per instance).
 * A client that stops reading is dropped once its queue passes the limit: memory stays bounded,
 * and its EventSource reconnects with Last-Event-ID and loses nothing.
 */
export class SseConnection {
  private mode: 'replaying' | 'live' | 'closed' = 'replaying';
  private held: RealtimeEvent[] | null = [];
  /** Replayed ids whose live copy has not come yet (see above). */
  private replayedPending: Set<string> | null = null;
  private replayedTimer?: NodeJS.Timeout;

  constructor(
    readonly tenantId: string,
    readonly leadId: string | null,
    private readonly sink: SseSink,
    private readonly limits: SseLimits,
    private readonly onClose: (connection: SseConnection, reason: CloseReason) => void,
    readonly credential: StreamCredential,
  ) {}

  get closed(): boolean {
    return this.mode === 'closed';
  }

  matches(event: RealtimeEvent): boolean {
    return event.tenantId === this.tenantId && (this.leadId === null || event.leadId === this.leadId);
  }

  /** Live fan-out from the hub; `frame` is formatted once and shared by every receiving connection. */
  push(event: RealtimeEvent, frame: string): void {
    if (this.mode === 'live') {
      if (this.replayedPending?.delete(String(event.id))) {
        if (this.replayedPending.size === 0) {
          this.replayedPending = null;
          clearTimeout(this.replayedTimer);
        }
        return;
      }
      return this.write(frame);
    }
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
    const pending = new Set(replayedIds);
    for (const event of held) {
      if (!pending.delete(String(event.id))) this.write(formatEventFrame(event));
    }
    if (pending.size > 0 && !this.closed) {
      this.replayedPending = pending;
      this.replayedTimer = setTimeout(() => (this.replayedPending = null), REPLAYED_IDS_TTL_MS);
      this.replayedTimer.unref();
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
    this.replayedPending = null;
    clearTimeout(this.replayedTimer);
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
