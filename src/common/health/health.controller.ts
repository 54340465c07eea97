import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { LivenessDto, ReadinessDto } from './health-response.dto.js';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../auth/auth.decorators.js';
import { isJsonObject } from '../json/json-object.js';
import { ShutdownService } from '../lifecycle/shutdown.service.js';
import { EVENT_BUS, type EventBus } from '../../modules/realtime/event-bus.port.js';
import { RedisEventBus } from '../../modules/realtime/redis.event-bus.js';

// Below the probe timeouts of common orchestrators (1 s default in Kubernetes is too tight for a
// loaded database; most set 2-5 s): a database that does not answer SELECT 1 in this long is down.
const DATABASE_PING_TIMEOUT_MS = 1_500;
const REDIS_PING_TIMEOUT_MS = 1_000;

const CHECK_STATUSES: ReadonlySet<unknown> = new Set<HealthCheckResult['status']>(['ok', 'error', 'degraded', 'shutting_down']);

// Terminus throws its report as the ServiceUnavailableException's response.
function isHealthCheckResult(value: unknown): value is HealthCheckResult {
  return isJsonObject(value) && CHECK_STATUSES.has(value.status) && isJsonObject(value.details);
}

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
  @ApiOkResponse({ type: LivenessDto })
  live(): LivenessDto {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public()
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ summary: 'Readiness: the database answers, a configured Redis transport is connected, and the instance is not draining' })
  @ApiOkResponse({ type: ReadinessDto })
  @ApiServiceUnavailableResponse({ type: ReadinessDto, description: 'Not ready: draining, the database does not answer, or the Redis transport is down' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    try {
      return await this.check();
    } catch (err) {
      // A failing probe answers 503 with the same report (which check failed), not an error body.
      if (!(err instanceof ServiceUnavailableException)) throw err;
      const report = err.getResponse();
      if (!isHealthCheckResult(report)) throw err;
      reply.status(503);
      return report;
    }
  }

  private check(): Promise<HealthCheckResult> {
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
              return (await events.isHealthy(REDIS_PING_TIMEOUT_MS))
                ? indicator.up({ transport: 'redis' })
                : indicator.down({ transport: 'redis', connected: false });
            },
          ]
        : []),
    ]);
  }
}
