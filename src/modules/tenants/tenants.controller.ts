import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentPrincipal, TenantAccess } from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { assertTenantAccess } from '../../common/auth/tenant-scope.js';
import { Audited } from '../../common/audit/audited.decorator.js';
import { CreateTenantDto } from './dto/create-tenant.dto.js';
import { PageQueryDto } from './dto/list-query.dto.js';
import { TenantPageDto, TenantResponseDto } from './dto/tenant-response.dto.js';
import { UpdateTenantDto } from './dto/update-tenant.dto.js';
import { Tenant } from './tenant.entity.js';
import { TenantsService } from './tenants.service.js';
import { ParseUuidPipe } from '../../common/pipes/parse-uuid.pipe.js';

@ApiTags('tenants')
@ApiBearerAuth()
@Controller('tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Post()
  @AdminOnly()
  @Audited('tenant.create', 'tenant')
  @ApiOperation({ summary: 'Create a tenant (admin)' })
  @ApiCreatedResponse({ type: TenantResponseDto })
  create(@Body() dto: CreateTenantDto): Promise<Tenant> {
    return this.tenants.create(dto);
  }

  @Get()
  @AdminOnly()
  @ApiOperation({ summary: 'List tenants, newest first (admin)' })
  @ApiOkResponse({ type: TenantPageDto })
  list(@Query() query: PageQueryDto) {
    return this.tenants.list(query);
  }

  @Get(':id')
  @TenantAccess()
  @ApiOperation({ summary: 'Get a tenant (admin, or the tenant itself)' })
  @ApiOkResponse({ type: TenantResponseDto })
  get(@Param('id', ParseUuidPipe) id: string, @CurrentPrincipal() principal: Principal): Promise<Tenant> {
    assertTenantAccess(principal, id);
    return this.tenants.get(id);
  }

  @Patch(':id')
  @TenantAccess()
  @Audited('tenant.update', 'tenant')
  @ApiOperation({ summary: 'Update name, timezone or settings (admin, or the tenant itself)' })
  @ApiOkResponse({ type: TenantResponseDto })
  update(@Param('id', ParseUuidPipe) id: string, @Body() dto: UpdateTenantDto, @CurrentPrincipal() principal: Principal): Promise<Tenant> {
    assertTenantAccess(principal, id);
    return this.tenants.update(id, dto);
  }

  @Post(':id/suspend')
  @AdminOnly()
  @HttpCode(200)
  @Audited('tenant.suspend', 'tenant')
  @ApiOperation({ summary: 'Suspend a tenant: its numbers stop answering and its keys stop working (admin)' })
  @ApiOkResponse({ type: TenantResponseDto })
  suspend(@Param('id', ParseUuidPipe) id: string): Promise<Tenant> {
    return this.tenants.setStatus(id, 'suspended');
  }

  @Post(':id/activate')
  @AdminOnly()
  @HttpCode(200)
  @Audited('tenant.activate', 'tenant')
  @ApiOperation({ summary: 'Re-activate a suspended tenant (admin)' })
  @ApiOkResponse({ type: TenantResponseDto })
  activate(@Param('id', ParseUuidPipe) id: string): Promise<Tenant> {
    return this.tenants.setStatus(id, 'active');
  }
}
