import type { RealtimeEvent } from './event-bus.port.js';
import { type EventNotification, notificationToEvent, parseNotification } from './event-payload.js';
import type { StoredEvent } from './realtime-events.repository.js';

export interface ReceiverStore {
  findById(id: string): Promise<StoredEvent | undefined>;
  after(afterId: number, limit: number): Promise<StoredEvent[]>;
  maxId(): Promise<number>;
}

export interface ReceiverHooks {
  deliver(event: RealtimeEvent): void;
  /** Events may have been missed and cannot be caught up here: local streams must resync. */
  gap(reason: string): void;
  warn(message: string, context?: Record<string, unknown>): void;
}

export interface ReceiverOptions {
  /** Most events one catch-up delivers; beyond it the instance signals a gap instead. */
  catchUpLimit: number;
  /** Ids below the watermark re-read at catch-up: transactions commit out of id order. */
  lookback: number;
  /** Recently delivered ids remembered to drop duplicates (catch-up overlapping live traffic). */
  dedupeCapacity: number;
  retryDelayMs: number;
}

export const DEFAULT_RECEIVER_OPTIONS: ReceiverOptions = { catchUpLimit: 5_000, lookback: 1_000, dedupeCapacity: 20_000, retryDelayMs: 1_000 };

/** A bounded set of recent ids (insertion order eviction). */
export class RecentIds {
  private readonly set = new Set<number>();
  private readonly ring: number[];
  private next = 0;

  constructor(capacity: number) {
    this.ring = new Array<number>(capacity);
  }

  has(id: number): boolean {
    return this.set.has(id);
  }

  add(id: number): void {
    if (this.set.has(id)) return;
    const evicted = this.ring[this.next];
    if (evicted !== undefined) this.set.delete(evicted);
    this.ring[this.next] = id;
    this.next = (this.next + 1) % this.ring.length;
    this.set.add(id);
  }
}

/**
 * The receiving half of a cross-instance transport (NOTIFY or Redis). Pub/sub never replays, so:
 * notifications are handled strictly in arrival order (one queue, because a large event is read
 * from the table by id first); while the subscription is being re-established delivery is held;
 * then everything stored after the last id heard (minus a look-back for late commits) is read
 * from the table, duplicates are dropped, and only then does live delivery resume.
 */
export class RemoteEventReceiver {
  private watermark = 0;
  private floor = 0;
  private readonly seen: RecentIds;
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly store: ReceiverStore,
    private readonly hooks: ReceiverHooks,
    private readonly options: ReceiverOptions = DEFAULT_RECEIVER_OPTIONS,
  ) {
    this.seen = new RecentIds(options.dedupeCapacity);
  }

  /** Nothing stored before now is delivered (it is replayed to SSE clients from the table instead). */
  async start(): Promise<void> {
    this.watermark = this.floor = await this.store.maxId();
  }

  get lastSeenId(): number {
    return this.watermark;
  }

  accept(raw: string): void {
    const notification = parseNotification(raw);
    if (!notification) {
      this.hooks.warn('Ignoring a malformed realtime notification', { bytes: raw.length });
      return;
    }
    this.enqueue(() => this.handle(notification));
  }

  /**
   * Holds delivery (notifications keep queueing) until the returned function is called once the
   * subscription is live again; then catches up from the table before anything queued meanwhile.
   */
  hold(): () => void {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    this.enqueue(async () => {
      await gate;
      await this.catchUpWithRetry();
    });
    return release;
  }

  /** Shutdown: whatever is still queued is dropped (the database is going away). */
  stop(): void {
    this.stopped = true;
  }

  /** Resolves when everything queued so far has been handled (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue;
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(() => (this.stopped ? undefined : task())).catch((err: unknown) => this.hooks.warn('Realtime delivery task failed', { err }));
  }

  private async handle(n: EventNotification): Promise<void> {
    const id = Number(n.id);
    if (!this.markNew(id)) return;
    if (n.data) return this.hooks.deliver(notificationToEvent({ ...n, data: n.data }));
    const stored = await this.store.findById(n.id);
    // Gone already (pruned, or its tenant deleted): nothing to show.
    if (stored) this.hooks.deliver(stored);
  }

  private markNew(id: number): boolean {
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    if (id > this.watermark) this.watermark = id;
    return true;
  }

  private async catchUpWithRetry(): Promise<void> {
    for (let attempt = 1; attempt <= 3 && !this.stopped; attempt++) {
      try {
        return await this.catchUp();
      } catch (err) {
        this.hooks.warn('Realtime catch-up failed', { err, attempt });
        await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs));
      }
    }
    if (!this.stopped) this.hooks.gap('catch-up failed');
  }

  private async catchUp(): Promise<void> {
    const from = Math.max(this.floor, this.watermark - this.options.lookback);
    const rows = await this.store.after(from, this.options.catchUpLimit + 1);
    if (rows.length > this.options.catchUpLimit) {
      // Too much to push through live streams: they resync from the table themselves.
      this.watermark = this.floor = await this.store.maxId();
      this.hooks.gap('too many events missed');
      return;
    }
    for (const row of rows) {
      if (this.markNew(Number(row.id))) this.hooks.deliver(row);
    }
  }
}
