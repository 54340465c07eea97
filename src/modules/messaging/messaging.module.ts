import { Module } from '@nestjs/common';
import { LeadsModule } from '../leads/leads.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { TwilioKitModule } from '../twilio-kit/twilio-kit.module.js';
import { UsageModule } from '../usage/usage.module.js';
import { AgentTextClient } from './agent-text.client.js';
import { SmsInboundService } from './sms-inbound.service.js';
import { SmsResendWorker } from './sms-resend.worker.js';
import { SmsSenderService } from './sms-sender.service.js';
import { SmsStatusService } from './sms-status.service.js';
import { SmsWebhookController, SmsWebhookProbeController } from './sms-webhook.controller.js';
import { SmsController } from './sms.controller.js';
import { SmsService } from './sms.service.js';

/** SMS and WhatsApp: incoming messages answered by the tenant's agent, delivery statuses, API sends. */
@Module({
  imports: [LeadsModule, TenantsModule, TwilioKitModule, UsageModule],
  controllers: [SmsWebhookController, SmsWebhookProbeController, SmsController],
  providers: [AgentTextClient, SmsInboundService, SmsSenderService, SmsStatusService, SmsResendWorker, SmsService],
  exports: [SmsSenderService],
})
export class MessagingModule {}
