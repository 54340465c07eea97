import { Module } from '@nestjs/common';
import { CallsModule } from '../calls/calls.module.js';
import { LeadsModule } from '../leads/leads.module.js';
import { MediaBridgeModule } from '../media-bridge/media-bridge.module.js';
import { MessagingModule } from '../messaging/messaging.module.js';
import { TwilioKitModule } from '../twilio-kit/twilio-kit.module.js';
import { HumanControlController } from './human-control.controller.js';
import { HumanControlService } from './human-control.service.js';
import { CallTransferController, DialActionController } from './voice-takeover.controller.js';
import { VoiceTakeoverService } from './voice-takeover.service.js';

/** Humans taking conversations over (SMS control, voice transfer) and giving them back to the AI. */
@Module({
  imports: [CallsModule, LeadsModule, MessagingModule, TwilioKitModule, MediaBridgeModule],
  controllers: [HumanControlController, CallTransferController, DialActionController],
  providers: [HumanControlService, VoiceTakeoverService],
})
export class TakeoverModule {}
