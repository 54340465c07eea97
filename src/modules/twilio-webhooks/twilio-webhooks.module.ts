import { Module } from '@nestjs/common';
import { CallsModule } from '../calls/calls.module.js';
import { LeadsModule } from '../leads/leads.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { TwilioKitModule } from '../twilio-kit/twilio-kit.module.js';
import { UsageModule } from '../usage/usage.module.js';
import { AcceptedCallAnswerService } from './accepted-call-answer.service.js';
import { CallCallbacksController, CallCallbacksHealthController } from './call-callbacks.controller.js';
import { CallCallbacksService } from './call-callbacks.service.js';
import { InboundCallService } from './inbound-call.service.js';
import { OutboundCallAnswerService } from './outbound-call-answer.service.js';
import { TenantRoutingService } from './tenant-routing.service.js';
import { VoiceFallbackService } from './voice-fallback.service.js';
import { VoiceWebhookController } from './voice-webhook.controller.js';

/**
 * Twilio voice entry: signed webhooks → tenant routing → call records → TwiML. The signature
 * guard, params and TwiML kit it shares with SMS and takeover live in twilio-kit/.
 */
@Module({
  imports: [CallsModule, LeadsModule, TenantsModule, TwilioKitModule, UsageModule],
  controllers: [VoiceWebhookController, CallCallbacksController, CallCallbacksHealthController],
  providers: [TenantRoutingService, InboundCallService, AcceptedCallAnswerService, OutboundCallAnswerService, VoiceFallbackService, CallCallbacksService],
  exports: [TenantRoutingService],
})
export class TwilioWebhooksModule {}
