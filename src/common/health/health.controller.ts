import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { LivenessDto, ReadinessDto } from './health-response.dto.js';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../auth/auth.decorators.js';
import { isJsonObject } from '../json/json-object.js';
import { ShutdownService } from '../lifecycle/shutdown.service.js';
import { ReadinessProbes } from './readiness-probes.js';

// Below the probe timeouts of common orchestrators (1 s default in Kubernetes is too tight for a
// loaded database; most set 2-5 s): a database that does not answer SELECT 1 in this long is down.
const DATABASE_PING_TIMEOUT_MS = 1_500;
const PROBE_TIMEOUT_MS = 1_000;

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
    private readonly probes: ReadinessProbes,
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
    return this.health.check([
      () => {
        const indicator = this.indicators.check('lifecycle');
        return this.shutdown.isDraining ? indicator.down({ draining: true }) : indicator.up({ draining: false });
      },
      () => this.db.pingCheck('database', { timeout: DATABASE_PING_TIMEOUT_MS }),
      // What the modules registered (the realtime module: its Redis transport, when configured).
      ...this.probes.list().map((probe) => async () => {
        const indicator = this.indicators.check(probe.name);
        const { up, details } = await probe.check(PROBE_TIMEOUT_MS);
        return up ? indicator.up(details) : indicator.down(details);
      }),
    ]);
  }
}
