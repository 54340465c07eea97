import { Body, Controller, Get, Param, Patch, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, TenantAccess } from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { tenantIdFor } from '../../common/auth/tenant-scope.js';
import { Audited } from '../../common/audit/audited.decorator.js';
import { LeadDetailDto, LeadPageDto, LeadResponseDto } from './dto/lead-response.dto.js';
import { TenantScopeQueryDto } from '../../common/dto/tenant-scope-query.dto.js';
import { LeadDetailQueryDto, ListLeadsQueryDto } from './dto/list-leads-query.dto.js';
import { UpdateLeadDto } from './dto/update-lead.dto.js';
import { LeadsService } from './leads.service.js';
import { ParseUuidPipe } from '../../common/pipes/parse-uuid.pipe.js';

@ApiTags('leads')
@ApiBearerAuth()
@TenantAccess()
@Controller('leads')
export class LeadsController {
  constructor(private readonly leads: LeadsService) {}

  @Get()
  @ApiOperation({ summary: "List the tenant's leads: search by name or phone digits, filter by status, sort by last contact or score" })
  @ApiOkResponse({ type: LeadPageDto })
  list(@Query() query: ListLeadsQueryDto, @CurrentPrincipal() principal: Principal): Promise<LeadPageDto> {
    return this.leads.list(tenantIdFor(principal, query.tenantId), query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A lead with its score reasons, summary and the latest entries of its cross-channel timeline' })
  @ApiOkResponse({ type: LeadDetailDto })
  get(@Param('id', ParseUuidPipe) id: string, @Query() query: LeadDetailQueryDto, @CurrentPrincipal() principal: Principal): Promise<LeadDetailDto> {
    return this.leads.get(tenantIdFor(principal, query.tenantId), id, query.timelineLimit);
  }

  @Patch(':id')
  @Audited('lead.update', 'lead')
  @ApiOperation({ summary: 'Correct a lead: name, email, status, notes (null clears a field)' })
  @ApiOkResponse({ type: LeadResponseDto })
  update(
    @Param('id', ParseUuidPipe) id: string,
    @Body() dto: UpdateLeadDto,
    @Query() query: TenantScopeQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<LeadResponseDto> {
    return this.leads.update(tenantIdFor(principal, query.tenantId), id, dto);
  }
}
