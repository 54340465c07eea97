import { Body, Controller, Delete, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBadGatewayResponse, ApiBearerAuth, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { SkipAudit } from '../../common/audit/audited.decorator.js';
import { CurrentPrincipal, TenantAccess } from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { AssignPhoneNumberDto } from './dto/assign-phone-number.dto.js';
import { PhoneNumberIdDto } from './dto/phone-number-id.dto.js';
import { ProvisionedNumberDto, toProvisionedNumber } from './dto/provisioning-response.dto.js';
import { PhoneProvisioningService } from './phone-provisioning.service.js';
import { operationContext } from './provisioning-audit.js';

// The service writes the audit rows itself (with Twilio's before → after), hence @SkipAudit().
@ApiTags('phone-numbers')
@ApiBearerAuth()
@TenantAccess()
@Controller('phone-numbers/assign')
export class PhoneNumberAssignmentController {
  constructor(private readonly provisioning: PhoneProvisioningService) {}

  @Post()
  @HttpCode(200)
  @SkipAudit()
  @ApiOperation({
    summary: 'Assign a number to a tenant and point its Twilio webhooks at us',
    description:
      'One transaction: the number is assigned and configured on Twilio (VoiceUrl, VoiceFallbackUrl, StatusCallback, and SmsUrl/SmsFallbackUrl when SMS or WhatsApp is on). ' +
      'Twilio refusing or timing out changes nothing here (502). tenantId is for the admin key; a tenant key assigns to itself.',
  })
  @ApiOkResponse({ type: ProvisionedNumberDto })
  @ApiConflictResponse({ description: 'Assigned to another tenant, or the tenant is suspended' })
  @ApiBadGatewayResponse({ description: 'Twilio refused or did not answer: its error code and message are in `twilio`' })
  async assign(@Body() dto: AssignPhoneNumberDto, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<ProvisionedNumberDto> {
    const { number, updatedFields } = await this.provisioning.assign(dto, operationContext(request, principal));
    return toProvisionedNumber(number, updatedFields);
  }

  @Delete()
  @HttpCode(200)
  @SkipAudit()
  @ApiOperation({ summary: 'Unassign a number: back to the platform pool, our URLs cleared on Twilio (same rollback rules)' })
  @ApiOkResponse({ type: ProvisionedNumberDto })
  @ApiConflictResponse({ description: 'The number is not assigned' })
  @ApiBadGatewayResponse({ description: 'Twilio refused or did not answer' })
  async unassign(@Body() dto: PhoneNumberIdDto, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<ProvisionedNumberDto> {
    const { number, updatedFields } = await this.provisioning.unassign(dto.phoneNumberId, operationContext(request, principal));
    return toProvisionedNumber(number, updatedFields);
  }
}
