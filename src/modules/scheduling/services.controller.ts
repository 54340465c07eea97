import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, TenantAccess } from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { tenantIdFor } from '../../common/auth/tenant-scope.js';
import { Audited } from '../../common/audit/audited.decorator.js';
import { TenantScopeQueryDto } from '../../common/dto/tenant-scope-query.dto.js';
import { CatalogueService, toServiceResponse } from './catalogue.service.js';
import { CreateServiceDto, ServiceResponseDto, UpdateServiceDto } from './dto/catalogue.dto.js';
import { ParseUuidPipe } from '../../common/pipes/parse-uuid.pipe.js';

@ApiTags('scheduling')
@ApiBearerAuth()
@TenantAccess()
@Controller('scheduling/services')
export class ServicesController {
  constructor(private readonly catalogue: CatalogueService) {}

  @Post()
  @Audited('service.create', 'service')
  @ApiOperation({ summary: 'Add a bookable service (duration in minutes, optional price)' })
  @ApiCreatedResponse({ type: ServiceResponseDto })
  create(@Body() dto: CreateServiceDto, @Query() query: TenantScopeQueryDto, @CurrentPrincipal() principal: Principal): Promise<ServiceResponseDto> {
    return this.catalogue.createService(tenantIdFor(principal, query.tenantId), dto);
  }

  @Get()
  @ApiOperation({ summary: "The tenant's services, retired ones included" })
  @ApiOkResponse({ type: [ServiceResponseDto] })
  async list(@Query() query: TenantScopeQueryDto, @CurrentPrincipal() principal: Principal): Promise<ServiceResponseDto[]> {
    return (await this.catalogue.listServices(tenantIdFor(principal, query.tenantId), false)).map(toServiceResponse);
  }

  @Patch(':id')
  @Audited('service.update', 'service')
  @ApiOperation({ summary: 'Change a service; active=false stops offering it' })
  @ApiOkResponse({ type: ServiceResponseDto })
  update(
    @Param('id', ParseUuidPipe) id: string,
    @Body() dto: UpdateServiceDto,
    @Query() query: TenantScopeQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ServiceResponseDto> {
    return this.catalogue.updateService(tenantIdFor(principal, query.tenantId), id, dto);
  }
}
