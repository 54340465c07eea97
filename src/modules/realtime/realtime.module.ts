import { Global, Inject, Module, type OnModuleInit } from '@nestjs/common';
import { ReadinessProbes } from '../../common/health/readiness-probes.js';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { LeadsModule } from '../leads/leads.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { EVENT_BUS, type EventBus } from './event-bus.port.js';
import { RedisEventBus } from './redis.event-bus.js';
import { createEventBus } from './event-bus.factory.js';
import { StreamAuthGuard } from './guards/stream-auth.guard.js';
import { RealtimeEventRecord } from './realtime-event.entity.js';
import { RealtimeEventsRepository } from './realtime-events.repository.js';
import { RealtimeHub } from './realtime-hub.service.js';
import { RealtimeRetentionService } from './realtime-retention.service.js';
import { RealtimeStreamsService } from './realtime-streams.service.js';
import { RealtimeController } from './realtime.controller.js';
import { RealtimeMetrics } from './realtime.metrics.js';
import { StreamTokenService } from './stream-token.service.js';

// Global: every producer injects EVENT_BUS without importing this module. The transport is
// chosen from config once, at boot (see chooseTransport).
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([RealtimeEventRecord]), LeadsModule, TenantsModule],
  controllers: [RealtimeController],
  providers: [
    RealtimeMetrics,
    RealtimeEventsRepository,
    {
      provide: EVENT_BUS,
      inject: [APP_CONFIG, RealtimeEventsRepository, DataSource, RealtimeMetrics],
      useFactory: (config: AppConfig, store: RealtimeEventsRepository, dataSource: DataSource, metrics: RealtimeMetrics) =>
        createEventBus(config, store, dataSource, metrics),
    },
    RealtimeHub,
    RealtimeStreamsService,
    RealtimeRetentionService,
    StreamTokenService,
    StreamAuthGuard,
  ],
  exports: [EVENT_BUS, RealtimeHub],
})
export class RealtimeModule implements OnModuleInit {
  constructor(
    @Inject(EVENT_BUS) private readonly events: EventBus,
    private readonly readiness: ReadinessProbes,
  ) {}

  onModuleInit(): void {
    // Redis carries live events between instances: without it dashboards on other instances go
    // quiet, so the instance is not ready. (The PostgreSQL transport shares the database's fate.)
    const events = this.events;
    if (events instanceof RedisEventBus) {
      this.readiness.register({
        name: 'realtime',
        check: async (timeoutMs) =>
          (await events.isHealthy(timeoutMs))
            ? { up: true, details: { transport: 'redis' } }
            : { up: false, details: { transport: 'redis', connected: false } },
      });
    }
  }
}
