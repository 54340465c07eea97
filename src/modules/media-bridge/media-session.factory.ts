import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConversationContext } from '../leads/conversation-context.service.js';
import { ElevenLabsApiClient } from '../provider-clients/elevenlabs-api.client.js';
import { EVENT_BUS, type EventBus } from '../realtime/event-bus.port.js';
import type { Tenant } from '../tenants/tenant.entity.js';
import { UPSTREAM_CONNECT_TIMEOUT_MS } from './media-bridge.constants.js';
import { MediaBridgeMetrics } from './media-bridge.metrics.js';
import { CallsRepository } from '../calls/calls.repository.js';
import { agentMessages } from './protocol/frame-build.js';
import { ElevenLabsAgentClient } from './session/elevenlabs-agent.client.js';
import { MediaSession, type MediaSessionPorts, type SessionLog } from './session/media-session.js';
import { ClientToolRegistry } from './tools/client-tool.registry.js';
import { TranscriptWriter } from './transcript-writer.service.js';

export interface SessionSubject {
  call: { id: string; tenantId: string; leadId: string | null };
  tenant: Tenant;
  /** May still be loading: it is only needed once the ElevenLabs socket is open. */
  context: ConversationContext | Promise<ConversationContext>;
}

// The tenant's key is read (and decrypted) once a minute, not once per call.
const API_KEY_TTL_MS = 60_000;

/** Builds MediaSessions with their ports: the ElevenLabs connection, call-row writes, timeline, events, metrics. */
@Injectable()
export class MediaSessionFactory {
  private readonly logger = new Logger('MediaBridge');
  private readonly log: SessionLog = {
    log: (obj, msg) => this.logger.log(obj, msg),
    warn: (obj, msg) => this.logger.warn(obj, msg),
    error: (obj, msg) => this.logger.error(obj, msg),
  };

  constructor(
    private readonly elevenlabs: ElevenLabsApiClient,
    private readonly calls: CallsRepository,
    private readonly transcripts: TranscriptWriter,
    private readonly tools: ClientToolRegistry,
    private readonly metrics: MediaBridgeMetrics,
    @Inject(EVENT_BUS) private readonly events: EventBus,
  ) {}

  private readonly apiKeys = new Map<string, { key: string; at: number }>();

  private async apiKey(tenantId: string): Promise<string> {
    const cached = this.apiKeys.get(tenantId);
    if (cached && Date.now() - cached.at < API_KEY_TTL_MS) return cached.key;
    const key = await this.elevenlabs.apiKeyForTenant(tenantId);
    this.apiKeys.set(tenantId, { key, at: Date.now() });
    return key;
  }

  create({ call, tenant, context }: SessionSubject, onFinished: (session: MediaSession) => void): MediaSession {
    const agent = tenant.settings?.agent ?? {};
    const agentId = agent.agentId ?? null;
    const { id: callId, tenantId, leadId } = call;
    const ports: MediaSessionPorts = {
      createAgent: (listener) => {
        if (!agentId) throw new Error('the tenant has no ElevenLabs agent (settings.agent.agentId)');
        // Public agents need no signed URL; private ones get a one-time URL with the tenant's key (or the platform's).
        const resolveUrl = agent.publicAgent
          ? () => Promise.resolve(this.elevenlabs.publicConversationUrl(agentId))
          : async (signal: AbortSignal) => this.elevenlabs.getSignedUrl(await this.apiKey(tenantId), agentId, signal);
        return new ElevenLabsAgentClient({
          resolveUrl,
          initiation: Promise.resolve(context).then((c) =>
            agentMessages.initiation({ dynamicVariables: c.dynamicVariables, conversationConfigOverride: c.conversationConfigOverride, userId: callId }),
          ),
          listener,
          log: this.log,
          connectTimeoutMs: UPSTREAM_CONNECT_TIMEOUT_MS,
        });
      },
      setConversation: (conversationId) => this.calls.linkConversation(callId, tenantId, conversationId, agentId),
      recordOutcome: (outcome, reason, failure) => {
        this.metrics.ended(outcome);
        return this.calls.recordBridgeOutcome(callId, tenantId, { outcome, reason, failure });
      },
      timeline: (entry) => this.transcripts.enqueue(entry),
      publish: (type, data) => void this.events.publish({ tenantId, type, callId, leadId, data }).catch(() => undefined),
      tools: this.tools,
      counters: this.metrics.counters,
      observeSetup: (stage, seconds) => this.metrics.observeSetup(stage, seconds),
      upstreamError: (type) => this.metrics.upstreamError(type),
      interruption: () => this.metrics.interruption(),
      log: this.log,
      onFinished,
    };
    return new MediaSession({ callId, tenantId, leadId, agentId, handoffAvailable: !!tenant.settings?.handoffNumber }, ports);
  }
}
