import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Observable } from 'rxjs';

/**
 * Twilio Media Streams frames are `{ event, ...rest }` with no `data` key (docs/protocols.md §2.2), so
 * `@SubscribeMessage('start' | 'mark' | 'stop')` handlers get the whole frame as their payload.
 */
export function parseTwilioFrame(data: unknown): { event: string; data: unknown } | undefined {
  const frame: unknown = JSON.parse(String(data));
  if (typeof frame !== 'object' || frame === null || !('event' in frame) || typeof frame.event !== 'string') return undefined;
  return { event: frame.event, data: frame };
}

/**
 * Nest's `ws` adapter for the WebSocket gateways on the HTTP port, with the Twilio frame parser.
 *
 * A gateway that declares no `@SubscribeMessage` handler (the media bridge) reads its frames
 * itself, so Nest's per-message pipeline (rxjs fromEvent → mergeMap → parser) is not attached to
 * its sockets at all: measured at ~2.5 µs per frame against ~0.02 µs for a plain listener
 * (bench/media-bridge/frame-path.bench.ts), on 50 frames a second per direction per call.
 */
export class TwilioWsAdapter extends WsAdapter {
  constructor(app: INestApplicationContext) {
    super(app, { messageParser: parseTwilioFrame });
  }

  override bindMessageHandlers(client: unknown, handlers: MessageMappingProperties[], transform: (data: unknown) => Observable<unknown>): void {
    if (handlers.length === 0) return;
    super.bindMessageHandlers(client, handlers, transform);
  }
}
