import { Module } from '@nestjs/common';
import { CallsModule } from '../calls/calls.module.js';
import { LeadsModule } from '../leads/leads.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { UsageModule } from '../usage/usage.module.js';
import { AcceptedCallAnswerService } from './accepted-call-answer.service.js';
import { CallCallbacksController, CallCallbacksHealthController } from './call-callbacks.controller.js';
import { CallCallbacksService } from './call-callbacks.service.js';
import { TwilioSignatureGuard } from './guards/twilio-signature.guard.js';
import { InboundCallService } from './inbound-call.service.js';
import { OutboundCallAnswerService } from './outbound-call-answer.service.js';
import { TenantRoutingService } from './tenant-routing.service.js';
import { VoiceFallbackService } from './voice-fallback.service.js';
import { VoiceWebhookController } from './voice-webhook.controller.js';

/**
 * Twilio voice entry: signed webhooks → tenant routing → call records → TwiML. The signature
 * guard is exported for every other Twilio webhook (SMS, ...); its dependencies are global.
 */
@Module({
  imports: [CallsModule, LeadsModule, TenantsModule, UsageModule],
  controllers: [VoiceWebhookController, CallCallbacksController, CallCallbacksHealthController],
  providers: [
    TwilioSignatureGuard,
    TenantRoutingService,
    InboundCallService,
    AcceptedCallAnswerService,
    OutboundCallAnswerService,
    VoiceFallbackService,
    CallCallbacksService,
  ],
  exports: [TwilioSignatureGuard, TenantRoutingService],
})
export class TwilioWebhooksModule {}
