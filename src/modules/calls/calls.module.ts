import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CallLifecycleEvents } from './call-lifecycle.events.js';
import { CallStatusEvent } from './call-status-event.entity.js';
import { Call } from './call.entity.js';
import { SessionTokenService } from './session-token.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Call, CallStatusEvent])],
  providers: [SessionTokenService, CallLifecycleEvents],
  exports: [SessionTokenService, CallLifecycleEvents, TypeOrmModule],
})
export class CallsModule {}
