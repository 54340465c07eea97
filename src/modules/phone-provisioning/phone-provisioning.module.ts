import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module.js';
import { NumberConfigurator } from './number-configurator.service.js';
import { PhoneNumberAssignmentController } from './phone-number-assignment.controller.js';
import { PhoneNumberWebhooksController } from './phone-number-webhooks.controller.js';
import { PhoneProvisioningService } from './phone-provisioning.service.js';
import { TwilioNumberClient } from './twilio-number.client.js';
import { WebhookSyncService } from './webhook-sync.service.js';

/** Numbers that configure themselves: assignment, Twilio webhook configuration, re-sync and drift checks. */
@Module({
  imports: [TenantsModule],
  controllers: [PhoneNumberAssignmentController, PhoneNumberWebhooksController],
  providers: [TwilioNumberClient, NumberConfigurator, PhoneProvisioningService, WebhookSyncService],
  exports: [PhoneProvisioningService, WebhookSyncService],
})
export class PhoneProvisioningModule {}
