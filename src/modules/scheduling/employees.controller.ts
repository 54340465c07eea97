import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, TenantAccess } from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { tenantIdFor } from '../../common/auth/tenant-scope.js';
import { Audited } from '../../common/audit/audited.decorator.js';
import { TenantScopeQueryDto } from '../../common/dto/tenant-scope-query.dto.js';
import { CatalogueService, toEmployeeResponse } from './catalogue.service.js';
import { CreateEmployeeDto, EmployeeResponseDto, UpdateEmployeeDto } from './dto/catalogue.dto.js';
import { ParseUuidPipe } from '../../common/pipes/parse-uuid.pipe.js';

@ApiTags('scheduling')
@ApiBearerAuth()
@TenantAccess()
@Controller('scheduling/employees')
export class EmployeesController {
  constructor(private readonly catalogue: CatalogueService) {}

  @Post()
  @Audited('employee.create', 'employee')
  @ApiOperation({ summary: 'Add a member of staff with their weekly hours (tenant timezone) and the services they do' })
  @ApiCreatedResponse({ type: EmployeeResponseDto })
  create(@Body() dto: CreateEmployeeDto, @Query() query: TenantScopeQueryDto, @CurrentPrincipal() principal: Principal): Promise<EmployeeResponseDto> {
    return this.catalogue.createEmployee(tenantIdFor(principal, query.tenantId), dto);
  }

  @Get()
  @ApiOperation({ summary: "The tenant's staff, inactive ones included" })
  @ApiOkResponse({ type: [EmployeeResponseDto] })
  async list(@Query() query: TenantScopeQueryDto, @CurrentPrincipal() principal: Principal): Promise<EmployeeResponseDto[]> {
    const staff = await this.catalogue.listEmployees(tenantIdFor(principal, query.tenantId), false);
    return staff.map(({ employee, serviceIds }) => toEmployeeResponse(employee, serviceIds));
  }

  @Patch(':id')
  @Audited('employee.update', 'employee')
  @ApiOperation({ summary: 'Change name, hours, services (the list is replaced) or active' })
  @ApiOkResponse({ type: EmployeeResponseDto })
  update(
    @Param('id', ParseUuidPipe) id: string,
    @Body() dto: UpdateEmployeeDto,
    @Query() query: TenantScopeQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<EmployeeResponseDto> {
    return this.catalogue.updateEmployee(tenantIdFor(principal, query.tenantId), id, dto);
  }
}
