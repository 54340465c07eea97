import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, TenantAccess } from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { tenantIdFor } from '../../common/auth/tenant-scope.js';
import { UsageQueryDto } from './dto/usage-query.dto.js';
import { UsageReportDto } from './dto/usage-response.dto.js';
import { UsageReport, UsageService } from './usage.service.js';

@ApiTags('usage')
@ApiBearerAuth()
@TenantAccess()
@Controller('usage')
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @Get()
  @ApiOperation({ summary: "Daily usage (UTC days), totals, the tenant's quotas and what is left of them this month" })
  @ApiOkResponse({ type: UsageReportDto })
  report(@Query() query: UsageQueryDto, @CurrentPrincipal() principal: Principal): Promise<UsageReport> {
    return this.usage.report(tenantIdFor(principal, query.tenantId), query.from, query.to);
  }
}
