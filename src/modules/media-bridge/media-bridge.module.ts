import { Module } from '@nestjs/common';
import { CallsModule } from '../calls/calls.module.js';
import { LeadsModule } from '../leads/leads.module.js';
import { MediaBridgeGateway } from './media-bridge.gateway.js';
import { MediaBridgeMetrics } from './media-bridge.metrics.js';
import { MediaBridgeService } from './media-bridge.service.js';
import { MediaSessionFactory } from './media-session.factory.js';
import { MediaStreamAuthenticator } from './media-stream-authenticator.service.js';
import { ClientToolRegistry } from './tools/client-tool.registry.js';
import { TranscriptWriter } from './transcript-writer.service.js';

/** Twilio Media Streams ⇄ ElevenLabs conversations (docs/media-bridge.md). Other modules add client tools through ClientToolRegistry. */
@Module({
  imports: [CallsModule, LeadsModule],
  providers: [MediaBridgeGateway, MediaBridgeService, MediaStreamAuthenticator, MediaSessionFactory, MediaBridgeMetrics, TranscriptWriter, ClientToolRegistry],
  exports: [ClientToolRegistry, MediaBridgeService],
})
export class MediaBridgeModule {}
