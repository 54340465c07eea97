import { isJsonObject } from '../../common/json/json-object.js';
import type { PublishOptions, RealtimeEvent } from './event-bus.port.js';
import type { BoundedData } from './event-payload.js';
import type { AfterCommit } from './after-commit.js';
import type { RealtimeEventsRepository } from './realtime-events.repository.js';
import type { RealtimeMetrics } from './realtime.metrics.js';
import { StoredEventBus } from './stored-event-bus.js';

/**
 * Delivers events to subscribers in this process only: the embedded database, where there is
 * one instance (PGlite has a single session; LISTEN/NOTIFY between instances means nothing).
 * Events are still stored for Last-Event-ID replay and delivered after the producer's commit.
 * Built without a store (unit tests) it numbers events itself and stores nothing.
 */
export class InProcessEventBus extends StoredEventBus {
  readonly transport = 'in-process' as const;
  private sequence = 0;

  constructor(
    private readonly store?: RealtimeEventsRepository,
    private readonly afterCommit?: AfterCommit,
    metrics?: RealtimeMetrics,
  ) {
    super(metrics);
  }

  protected async send(event: RealtimeEvent, data: BoundedData, options: PublishOptions): Promise<void> {
    if (!this.store) {
      const parsed: unknown = JSON.parse(data.json);
      const stamped = {
        ...event,
        data: isJsonObject(parsed) ? parsed : {},
        id: String(++this.sequence),
        occurredAt: event.occurredAt ?? new Date().toISOString(),
      };
      return this.emit(stamped);
    }
    const stored = await this.store.insert(event, data, { manager: options.manager });
    const deliver = () => this.emit(stored);
    if (this.afterCommit) this.afterCommit.schedule(options.manager, deliver);
    else deliver();
  }

  onApplicationShutdown(): void {
    this.afterCommit?.detach();
  }
}
