import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { CallLifecycleEvents } from '../calls/call-lifecycle.events.js';
import type { Call } from '../calls/call.entity.js';
import { CallsRepository } from '../calls/calls.repository.js';
import { SessionTokenService } from '../calls/session-token.service.js';
import { type ContextOptions, ConversationContextService } from '../leads/conversation-context.service.js';
import type { Lead } from '../leads/lead.entity.js';
import { ElevenLabsApiClient } from '../provider-clients/elevenlabs-api.client.js';
import type { Tenant } from '../tenants/tenant.entity.js';
import { DEFAULT_MESSAGES } from './domain/call-admission.js';
import type { VoiceWebhookParams } from '../twilio-kit/twilio-webhook.dto.js';
import { connectStreamTwiml, sayThenHandOffTwiml } from '../twilio-kit/voice-twiml.js';

/**
 * The TwiML for a call that may reach the agent, in the tenant's routing mode:
 * - bridge: `<Connect><Stream>` to our media bridge, with a session token;
 * - register-call: ElevenLabs' own TwiML from its register-call API (it carries the audio).
 * The call row is already committed when this runs.
 */
@Injectable()
export class AcceptedCallAnswerService {
  private readonly logger = new Logger(AcceptedCallAnswerService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessionTokens: SessionTokenService,
    private readonly context: ConversationContextService,
    private readonly lifecycle: CallLifecycleEvents,
    private readonly elevenlabs: ElevenLabsApiClient,
    private readonly calls: CallsRepository,
  ) {}

  /** `options`: per-call overrides (an outbound call's firstMessage/prompt/variables, a voicemail). */
  async answer(tenant: Tenant, call: Call, lead: Lead | null, params: VoiceWebhookParams, options: ContextOptions = {}): Promise<string> {
    const mode = call.routingMode ?? tenant.settings?.routingMode ?? 'bridge';
    return mode === 'register-call' ? this.registerCall(tenant, call, lead, params, options) : this.bridge(tenant, call, lead, options);
  }

  private async bridge(tenant: Tenant, call: Call, lead: Lead | null, options: ContextOptions): Promise<string> {
    const context = await this.context.build(tenant, lead, options);
    // Only a call still waiting for its stream is announced (a retry after the stream opened is not);
    // the bridge starts opening the ElevenLabs conversation while Twilio sets up the stream. An
    // outbound call is answered already (status callbacks may have moved it past ringing).
    const waiting =
      call.status === 'ringing' ||
      (call.direction === 'outbound' && !['completed', 'busy', 'failed', 'no-answer', 'canceled', 'rejected'].includes(call.status));
    if (waiting && !call.mediaConnectedAt) this.lifecycle.emitAccepted({ call, tenant, lead, context });
    return connectStreamTwiml({
      publicBaseUrl: this.config.publicBaseUrl,
      parameters: { sessionToken: this.sessionTokens.issue(call.twilioCallSid as string, tenant.id, call.id), callId: call.id },
    });
  }

  private async registerCall(tenant: Tenant, call: Call, lead: Lead | null, params: VoiceWebhookParams, options: ContextOptions): Promise<string> {
    try {
      const [apiKey, context] = await Promise.all([this.elevenlabs.apiKeyForTenant(tenant.id), this.context.build(tenant, lead, options)]);
      return await this.elevenlabs.registerCall(apiKey, {
        agent_id: call.agentId ?? (tenant.settings?.agent?.agentId as string),
        from_number: params.From,
        to_number: params.To,
        direction: call.direction,
        conversation_initiation_client_data: {
          dynamic_variables: context.dynamicVariables,
          conversation_config_override: context.conversationConfigOverride,
          user_id: call.id,
        },
      });
    } catch (err) {
      this.logger.error({ err, callId: call.id, tenantId: tenant.id }, 'ElevenLabs register-call failed: answering the fallback');
      await this.calls.markFailure(call.id, 'register_call_failed').catch(() => undefined);
      return sayThenHandOffTwiml(tenant.settings?.messages?.unavailable || DEFAULT_MESSAGES.unavailable, tenant.settings?.handoffNumber);
    }
  }
}
