import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, TenantAccess } from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { tenantIdFor } from '../../common/auth/tenant-scope.js';
import { Audited } from '../../common/audit/audited.decorator.js';
import { SendSmsDto, SentSmsDto } from './dto/send-sms.dto.js';
import { SmsService } from './sms.service.js';

@ApiTags('messages')
@ApiBearerAuth()
@TenantAccess()
@Controller()
export class SmsController {
  constructor(private readonly sms: SmsService) {}

  /** `/twilio/send-sms` is the path older integrations use. */
  @Post(['messages/sms', 'twilio/send-sms'])
  @HttpCode(201)
  @Audited('sms.send', 'lead')
  @ApiOperation({ summary: 'Send an SMS or WhatsApp message to a number or a lead (stored on its timeline, counted in usage)' })
  @ApiCreatedResponse({ type: SentSmsDto })
  @ApiConflictResponse({ description: 'The recipient opted out (STOP)' })
  send(@Body() dto: SendSmsDto, @CurrentPrincipal() principal: Principal): Promise<SentSmsDto> {
    return this.sms.send(tenantIdFor(principal, dto.tenantId), dto);
  }
}
