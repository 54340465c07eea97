import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../auth/auth.decorators.js';
import { ShutdownService } from '../lifecycle/shutdown.service.js';
import { EVENT_BUS, type EventBus } from '../../modules/realtime/event-bus.port.js';
import { RedisEventBus } from '../../modules/realtime/redis.event-bus.js';

// Below the probe timeouts of common orchestrators (1 s default in Kubernetes is too tight for a
// loaded database; most set 2-5 s): a database that does not answer SELECT 1 in this long is down.
const DATABASE_PING_TIMEOUT_MS = 1_500;
const REDIS_PING_TIMEOUT_MS = 1_000;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly shutdown: ShutdownService,
    @Inject(EVENT_BUS) private readonly events: EventBus,
  ) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Liveness: the process is up and serving' })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public()
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: the database answers, a configured Redis transport is connected, and the instance is not draining' })
  ready() {
    const events = this.events;
    return this.health.check([
      () => {
        const indicator = this.indicators.check('lifecycle');
        return this.shutdown.isDraining ? indicator.down({ draining: true }) : indicator.up({ draining: false });
      },
      () => this.db.pingCheck('database', { timeout: DATABASE_PING_TIMEOUT_MS }),
      // Redis carries live events between instances: without it dashboards on other instances go
      // quiet. (The PostgreSQL transport shares the database's fate, checked above.)
      ...(events instanceof RedisEventBus
        ? [
            async () => {
              const indicator = this.indicators.check('realtime');
              return (await events.isHealthy(REDIS_PING_TIMEOUT_MS)) ? indicator.up({ transport: 'redis' }) : indicator.down({ transport: 'redis', connected: false });
            },
          ]
        : []),
    ]);
  }
}

