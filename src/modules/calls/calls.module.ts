import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CallLifecycleEvents } from './call-lifecycle.events.js';
import { CallStatusEvent } from './call-status-event.entity.js';
import { CallStatusService } from './call-status.service.js';
import { Call } from './call.entity.js';
import { CallsController } from './calls.controller.js';
import { CallsRepository } from './calls.repository.js';
import { CallConversationsRepository } from './call-conversations.repository.js';
import { CallsService } from './calls.service.js';
import { OutboundCallQueueRepository } from './outbound-call-queue.repository.js';
import { SessionTokenService } from './session-token.service.js';

// The calls table's one owner: every other module reads and writes calls through these.
const SERVICES = [
  SessionTokenService,
  CallLifecycleEvents,
  CallsRepository,
  OutboundCallQueueRepository,
  CallConversationsRepository,
  CallsService,
  CallStatusService,
];

@Module({
  imports: [TypeOrmModule.forFeature([Call, CallStatusEvent])],
  controllers: [CallsController],
  providers: SERVICES,
  exports: SERVICES,
})
export class CallsModule {}
