import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentPrincipal, TenantAccess } from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { assertTenantAccess } from '../../common/auth/tenant-scope.js';
import { Audited } from '../../common/audit/audited.decorator.js';
import { CreateTenantDto } from './dto/create-tenant.dto.js';
import { PageQueryDto } from './dto/list-query.dto.js';
import { TenantPageDto, TenantResponseDto, toTenantResponse } from './dto/tenant-response.dto.js';
import { UpdateTenantDto } from './dto/update-tenant.dto.js';
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
  async create(@Body() dto: CreateTenantDto): Promise<TenantResponseDto> {
    return toTenantResponse(await this.tenants.create(dto));
  }

  @Get()
  @AdminOnly()
  @ApiOperation({ summary: 'List tenants, newest first (admin)' })
  @ApiOkResponse({ type: TenantPageDto })
  async list(@Query() query: PageQueryDto): Promise<TenantPageDto> {
    const page = await this.tenants.list(query);
    return { items: page.items.map(toTenantResponse), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @TenantAccess()
  @ApiOperation({ summary: 'Get a tenant (admin, or the tenant itself)' })
  @ApiOkResponse({ type: TenantResponseDto })
  async get(@Param('id', ParseUuidPipe) id: string, @CurrentPrincipal() principal: Principal): Promise<TenantResponseDto> {
    assertTenantAccess(principal, id);
    return toTenantResponse(await this.tenants.get(id));
  }

  @Patch(':id')
  @TenantAccess()
  @Audited('tenant.update', 'tenant')
  @ApiOperation({ summary: 'Update name, timezone or settings (admin, or the tenant itself)' })
  @ApiOkResponse({ type: TenantResponseDto })
  async update(@Param('id', ParseUuidPipe) id: string, @Body() dto: UpdateTenantDto, @CurrentPrincipal() principal: Principal): Promise<TenantResponseDto> {
    assertTenantAccess(principal, id);
    return toTenantResponse(await this.tenants.update(id, dto));
  }

  @Post(':id/suspend')
  @AdminOnly()
  @HttpCode(200)
  @Audited('tenant.suspend', 'tenant')
  @ApiOperation({ summary: 'Suspend a tenant: its numbers stop answering and its keys stop working (admin)' })
  @ApiOkResponse({ type: TenantResponseDto })
  async suspend(@Param('id', ParseUuidPipe) id: string): Promise<TenantResponseDto> {
    return toTenantResponse(await this.tenants.setStatus(id, 'suspended'));
  }

  @Post(':id/activate')
  @AdminOnly()
  @HttpCode(200)
  @Audited('tenant.activate', 'tenant')
  @ApiOperation({ summary: 'Re-activate a suspended tenant (admin)' })
  @ApiOkResponse({ type: TenantResponseDto })
  async activate(@Param('id', ParseUuidPipe) id: string): Promise<TenantResponseDto> {
    return toTenantResponse(await this.tenants.setStatus(id, 'active'));
  }
}
