import { Global, Module } from '@nestjs/common';
import { EVENT_BUS } from './event-bus.port.js';
import { InProcessEventBus } from './in-process.event-bus.js';

@Global()
@Module({
  providers: [InProcessEventBus, { provide: EVENT_BUS, useExisting: InProcessEventBus }],
  exports: [EVENT_BUS],
})
export class RealtimeModule {}
