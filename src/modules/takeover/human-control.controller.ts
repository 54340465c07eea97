import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, TenantAccess } from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { tenantIdFor } from '../../common/auth/tenant-scope.js';
import { Audited } from '../../common/audit/audited.decorator.js';
import { HumanControlDto, HumanControlStateDto, OperatorMessageDto, OperatorMessageSentDto } from './dto/takeover.dto.js';
import { HumanControlService } from './human-control.service.js';
import { ParseUuidPipe } from '../../common/pipes/parse-uuid.pipe.js';

@ApiTags('takeover')
@ApiBearerAuth()
@TenantAccess()
@Controller('leads')
export class HumanControlController {
  constructor(private readonly control: HumanControlService) {}

  @Post(':id/human-control')
  @HttpCode(200)
  @Audited('lead.human_control', 'lead')
  @ApiOperation({ summary: 'A human takes the SMS conversation over (no automatic replies) or hands it back to the AI' })
  @ApiOkResponse({ type: HumanControlStateDto })
  set(@Param('id', ParseUuidPipe) id: string, @Body() dto: HumanControlDto, @CurrentPrincipal() principal: Principal): Promise<HumanControlStateDto> {
    return this.control.set(tenantIdFor(principal, dto.tenantId), id, dto.enabled, dto.operator);
  }

  @Post(':id/messages')
  @HttpCode(201)
  @Audited('lead.operator_message', 'lead')
  @ApiOperation({ summary: "An operator's SMS to the lead (stored on the timeline with role human)" })
  @ApiCreatedResponse({ type: OperatorMessageSentDto })
  @ApiConflictResponse({ description: 'The lead opted out (STOP)' })
  reply(@Param('id', ParseUuidPipe) id: string, @Body() dto: OperatorMessageDto, @CurrentPrincipal() principal: Principal): Promise<OperatorMessageSentDto> {
    return this.control.reply(tenantIdFor(principal, dto.tenantId), id, dto.body, dto.operator);
  }
}
