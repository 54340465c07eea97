import { Logger } from '@nestjs/common';
import type { EventBus, PublishOptions, RealtimeEvent } from './event-bus.port.js';
import { type BoundedData, boundEventData } from './event-payload.js';
import type { RealtimeMetrics } from './realtime.metrics.js';
import { DEFAULT_RECEIVER_OPTIONS, type ReceiverOptions, type ReceiverStore, RemoteEventReceiver } from './remote-event-receiver.js';

export type TransportName = 'in-process' | 'postgres' | 'redis';

/** Adapters that can lose events on the way (pub/sub) tell local streams to resync. */
export interface GapAwareEventBus extends EventBus {
  readonly transport: TransportName;
  onGap(listener: (reason: string) => void): () => void;
}

/**
 * What every adapter shares: the size contract on data, local fan-out to subscribers (a failing
 * subscriber never affects the others), gap listeners, and publish's error policy (see EventBus).
 */
export abstract class StoredEventBus implements GapAwareEventBus {
  abstract readonly transport: TransportName;
  protected readonly logger = new Logger(this.constructor.name);
  private readonly handlers = new Set<(event: RealtimeEvent) => void>();
  private readonly gapListeners = new Set<(reason: string) => void>();

  constructor(protected readonly metrics?: RealtimeMetrics) {}

  /** Stores the event and hands it to the transport. */
  protected abstract send(event: RealtimeEvent, data: BoundedData, options: PublishOptions): Promise<void>;

  async publish(event: RealtimeEvent, options: PublishOptions = {}): Promise<void> {
    const data = boundEventData(event.data);
    if (data.truncated) this.logger.warn({ type: event.type, tenantId: event.tenantId }, 'Realtime event data too large; replaced by a marker');
    // The classic hang: publishing inside a transaction without its manager. On the embedded
    // database the insert then waits for that transaction, which waits for the publish.
    const watchdog = options.manager
      ? undefined
      : setTimeout(
          () => this.logger.error({ type: event.type }, 'Realtime publish still waiting after 5 s: called inside a transaction without { manager }?'),
          5_000,
        );
    watchdog?.unref();
    try {
      await this.send(event, data, options);
      this.metrics?.published.inc({ transport: this.transport });
    } catch (err) {
      this.metrics?.publishFailures.inc({ transport: this.transport });
      this.logger.error({ err, type: event.type, tenantId: event.tenantId }, 'Could not publish a realtime event');
      if (options.manager) throw err;
    } finally {
      clearTimeout(watchdog);
    }
  }

  subscribe(handler: (event: RealtimeEvent) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  onGap(listener: (reason: string) => void): () => void {
    this.gapListeners.add(listener);
    return () => this.gapListeners.delete(listener);
  }

  /** For transports that hear events from other instances: delivers them to this bus's subscribers. */
  protected remoteReceiver(store: ReceiverStore, options: ReceiverOptions = DEFAULT_RECEIVER_OPTIONS): RemoteEventReceiver {
    return new RemoteEventReceiver(
      store,
      {
        deliver: (event) => this.emit(event),
        gap: (reason) => this.emitGap(reason),
        warn: (message, context) => this.logger.warn(context ?? {}, message),
      },
      options,
    );
  }

  protected emit(event: RealtimeEvent): void {
    for (const handler of this.handlers) {
      try {
        handler(event);
      } catch (err) {
        this.logger.error({ err, type: event.type }, 'Event subscriber failed');
      }
    }
  }

  protected emitGap(reason: string): void {
    this.metrics?.gaps.inc({ reason });
    this.logger.warn({ reason }, 'Realtime events may have been missed: local streams will resync');
    for (const listener of this.gapListeners) listener(reason);
  }
}

export function isGapAware(bus: EventBus): bus is GapAwareEventBus {
  return 'onGap' in bus && typeof bus.onGap === 'function';
}

/** Reconnect delay: exponential from 250 ms, capped at 30 s, with jitter so instances spread out. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 250 * 2 ** Math.min(attempt, 10));
  return Math.round(base * (0.5 + random() / 2));
}
