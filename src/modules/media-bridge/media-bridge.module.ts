import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Call } from '../calls/call.entity.js';
import { CallsModule } from '../calls/calls.module.js';
import { Lead } from '../leads/lead.entity.js';
import { LeadsModule } from '../leads/leads.module.js';
import { Tenant } from '../tenants/tenant.entity.js';
import { MediaBridgeGateway } from './media-bridge.gateway.js';
import { MediaBridgeMetrics } from './media-bridge.metrics.js';
import { MediaBridgeService } from './media-bridge.service.js';
import { MediaSessionFactory } from './media-session.factory.js';
import { MediaStreamAuthenticator } from './media-stream-authenticator.service.js';
import { ClientToolRegistry } from './tools/client-tool.registry.js';
import { TranscriptWriter } from './transcript-writer.service.js';

/** Twilio Media Streams ⇄ ElevenLabs conversations (docs/media-bridge.md). Other modules add client tools through ClientToolRegistry. */
@Module({
  imports: [TypeOrmModule.forFeature([Call, Tenant, Lead]), CallsModule, LeadsModule],
  providers: [MediaBridgeGateway, MediaBridgeService, MediaStreamAuthenticator, MediaSessionFactory, MediaBridgeMetrics, TranscriptWriter, ClientToolRegistry],
  exports: [ClientToolRegistry, MediaBridgeService],
})
export class MediaBridgeModule {}
