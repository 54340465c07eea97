import { Injectable, Logger } from '@nestjs/common';
import { EventBus, RealtimeEvent } from './event-bus.port.js';

/** Delivers events to subscribers in this process only (the embedded-database default). */
@Injectable()
export class InProcessEventBus implements EventBus {
  private readonly logger = new Logger(InProcessEventBus.name);
  private readonly handlers = new Set<(event: RealtimeEvent) => void>();
  private sequence = 0;

  async publish(event: RealtimeEvent): Promise<void> {
    const stamped = { ...event, id: event.id ?? String(++this.sequence), occurredAt: event.occurredAt ?? new Date().toISOString() };
    for (const handler of this.handlers) {
      try {
        handler(stamped);
      } catch (err) {
        this.logger.error({ err, type: event.type }, 'Event subscriber failed');
      }
    }
  }

  subscribe(handler: (event: RealtimeEvent) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }
}
