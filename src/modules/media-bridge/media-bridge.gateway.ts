import { OnGatewayConnection, OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import { MediaBridgeService } from './media-bridge.service.js';

export const MEDIA_STREAM_PATH = '/media-stream';

/**
 * Twilio Media Streams (`<Connect><Stream url="wss://{public host}/media-stream">`) on the HTTP
 * port. Thin on purpose: admission and the signature header are decided at the HTTP upgrade
 * (refusals get a real 401/503 before any WebSocket exists), everything else is MediaBridgeService.
 * No @SubscribeMessage: frames go from the socket listener straight into the session.
 */
@WebSocketGateway({ path: MEDIA_STREAM_PATH, perMessageDeflate: false, maxPayload: 64 * 1024 })
export class MediaBridgeGateway implements OnGatewayInit<WebSocketServer>, OnGatewayConnection<WebSocket> {
  constructor(private readonly bridge: MediaBridgeService) {}

  afterInit(server: WebSocketServer): void {
    // `ws` consults options.verifyClient at every upgrade (two-argument form: async verdict with an HTTP status).
    server.options.verifyClient = (info: { req: IncomingMessage }, done: (ok: boolean, status?: number, message?: string) => void) => {
      const decision = this.bridge.admitUpgrade(info.req);
      if (decision.ok) done(true);
      else done(false, decision.status, decision.message);
    };
  }

  handleConnection(client: WebSocket, req: IncomingMessage): void {
    this.bridge.accept(client, req);
  }
}
