import { Module } from '@nestjs/common';
import { CallsModule } from '../calls/calls.module.js';
import { LeadsModule } from '../leads/leads.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { UsageModule } from '../usage/usage.module.js';
import { OutboundCallsController } from './outbound-calls.controller.js';
import { OutboundCallsService } from './outbound-calls.service.js';
import { OutboundDispatcherService } from './outbound-dispatcher.service.js';

/** Outbound AI calls: request → queue → dispatcher → Twilio → our voice webhook. Docs: docs/phone-numbers.md. */
@Module({
  imports: [CallsModule, LeadsModule, TenantsModule, UsageModule],
  controllers: [OutboundCallsController],
  providers: [OutboundCallsService, OutboundDispatcherService],
})
export class OutboundCallsModule {}
