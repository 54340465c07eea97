import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../auth/auth.decorators.js';
import { ShutdownService } from '../lifecycle/shutdown.service.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly shutdown: ShutdownService,
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
  @ApiOperation({ summary: 'Readiness: the database answers and the instance is not draining' })
  ready() {
    return this.health.check([
      () => {
        const indicator = this.indicators.check('lifecycle');
        return this.shutdown.isDraining ? indicator.down({ draining: true }) : indicator.up({ draining: false });
      },
      () => this.db.pingCheck('database', { timeout: 2_000 }),
    ]);
  }
}

