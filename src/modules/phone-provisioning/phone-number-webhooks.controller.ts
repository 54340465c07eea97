import { Body, Controller, Get, HttpCode, Post, Put, Query, Req } from '@nestjs/common';
import { ApiBadGatewayResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { SkipAudit } from '../../common/audit/audited.decorator.js';
import { CurrentPrincipal, TenantAccess } from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { PhoneNumberIdDto } from './dto/phone-number-id.dto.js';
import { ProvisionedNumberDto, ResyncResultDto, toProvisionedNumber, WebhookVerificationDto } from './dto/provisioning-response.dto.js';
import { ResyncWebhooksDto } from './dto/resync-webhooks.dto.js';
import { PhoneProvisioningService } from './phone-provisioning.service.js';
import { operationContext } from './provisioning-audit.js';
import { WebhookSyncService } from './webhook-sync.service.js';

@ApiTags('phone-numbers')
@ApiBearerAuth()
@TenantAccess()
@Controller('phone-numbers/webhooks')
export class PhoneNumberWebhooksController {
  constructor(
    private readonly provisioning: PhoneProvisioningService,
    private readonly sync: WebhookSyncService,
  ) {}

  @Get()
  @ApiOperation({ summary: "Compare a number's live Twilio configuration with what it should be" })
  @ApiOkResponse({ type: WebhookVerificationDto })
  @ApiBadGatewayResponse({ description: 'Twilio refused or did not answer' })
  verify(@Query() query: PhoneNumberIdDto, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<WebhookVerificationDto> {
    return this.provisioning.verify(query.phoneNumberId, operationContext(request, principal));
  }

  @Post()
  @HttpCode(200)
  @SkipAudit()
  @ApiOperation({ summary: 'Reconfigure one number on Twilio now (only the fields that differ are written)' })
  @ApiOkResponse({ type: ProvisionedNumberDto })
  @ApiBadGatewayResponse({ description: 'Twilio refused or did not answer' })
  async configure(@Body() dto: PhoneNumberIdDto, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<ProvisionedNumberDto> {
    const { number, updatedFields } = await this.provisioning.configure(dto.phoneNumberId, operationContext(request, principal));
    return toProvisionedNumber(number, updatedFields);
  }

  @Put()
  @SkipAudit()
  @ApiOperation({
    summary: "Re-sync every number (admin), a tenant's, or an agent's, three at a time",
    description: "Run after PUBLIC_BASE_URL changes. Each number succeeds or fails on its own; failures are listed with Twilio's error.",
  })
  @ApiOkResponse({ type: ResyncResultDto })
  resync(@Body() dto: ResyncWebhooksDto, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<ResyncResultDto> {
    return this.sync.resync(dto, operationContext(request, principal));
  }
}
