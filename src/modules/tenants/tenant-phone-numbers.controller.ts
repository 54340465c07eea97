import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentPrincipal, TenantAccess } from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { assertTenantAccess } from '../../common/auth/tenant-scope.js';
import { Audited } from '../../common/audit/audited.decorator.js';
import { CreatePhoneNumberDto } from './dto/create-phone-number.dto.js';
import { PhoneNumberResponseDto } from './dto/tenant-response.dto.js';
import { PhoneNumbersService, toPhoneNumberResponse } from './phone-numbers.service.js';
import { TenantsService } from './tenants.service.js';
import { ParseUuidPipe } from '../../common/pipes/parse-uuid.pipe.js';

@ApiTags('phone-numbers')
@ApiBearerAuth()
@TenantAccess()
@Controller('tenants/:id/phone-numbers')
export class TenantPhoneNumbersController {
  constructor(
    private readonly tenants: TenantsService,
    private readonly numbers: PhoneNumbersService,
  ) {}

  // Registering a number routes its calls to the tenant, so only the platform operator does it
  // (tenants on their own Twilio subaccount use POST /api/phone-numbers/assign).
  @Post()
  @AdminOnly()
  @Audited('phone_number.create', 'phone_number')
  @ApiOperation({ summary: 'Register a phone number for a tenant (admin; stored as E.164; one tenant per number)' })
  @ApiCreatedResponse({ type: PhoneNumberResponseDto })
  async create(@Param('id', ParseUuidPipe) tenantId: string, @Body() dto: CreatePhoneNumberDto, @CurrentPrincipal() principal: Principal) {
    assertTenantAccess(principal, tenantId);
    await this.tenants.get(tenantId);
    return toPhoneNumberResponse(await this.numbers.create(tenantId, dto));
  }

  @Get()
  @ApiOperation({ summary: "List the tenant's phone numbers" })
  @ApiOkResponse({ type: [PhoneNumberResponseDto] })
  async list(@Param('id', ParseUuidPipe) tenantId: string, @CurrentPrincipal() principal: Principal) {
    assertTenantAccess(principal, tenantId);
    await this.tenants.get(tenantId);
    return (await this.numbers.list(tenantId)).map(toPhoneNumberResponse);
  }

  @Delete(':numberId')
  @HttpCode(204)
  @Audited('phone_number.delete', 'phone_number')
  @ApiOperation({ summary: 'Remove a phone number from the tenant' })
  @ApiNoContentResponse()
  async remove(@Param('id', ParseUuidPipe) tenantId: string, @Param('numberId', ParseUuidPipe) numberId: string, @CurrentPrincipal() principal: Principal) {
    assertTenantAccess(principal, tenantId);
    await this.numbers.remove(tenantId, numberId);
  }
}
