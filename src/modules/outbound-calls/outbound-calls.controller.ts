import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited } from '../../common/audit/audited.decorator.js';
import { CurrentPrincipal, TenantAccess } from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { tenantIdFor } from '../../common/auth/tenant-scope.js';
import { OutboundCallDto, OutboundCallResponseDto } from './dto/outbound-call.dto.js';
import { OutboundCallsService } from './outbound-calls.service.js';

@ApiTags('calls')
@ApiBearerAuth()
@TenantAccess()
@Controller()
export class OutboundCallsController {
  constructor(private readonly outbound: OutboundCallsService) {}

  /** `/elevenlabs/outbound-call` is the path older integrations use. */
  @Post(['calls/outbound', 'elevenlabs/outbound-call'])
  @HttpCode(202)
  @Audited('call.outbound', 'call')
  @ApiOperation({ summary: 'Queue an outbound AI call (placed with Twilio at the account rate; GET /api/calls/:id shows queued until placed)' })
  @ApiAcceptedResponse({ type: OutboundCallResponseDto })
  async create(@Body() dto: OutboundCallDto, @CurrentPrincipal() principal: Principal): Promise<OutboundCallResponseDto> {
    const tenantId = tenantIdFor(principal, dto.tenantId);
    const call = await this.outbound.request({ tenantId, isAdmin: principal.kind === 'admin' }, dto);
    return {
      id: call.id,
      tenantId: call.tenantId,
      leadId: call.leadId,
      status: call.status,
      direction: call.direction,
      to: call.toNumber,
      from: call.fromNumber,
    };
  }
}
