import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, TenantAccess } from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { tenantIdFor } from '../../common/auth/tenant-scope.js';
import { CallDetailDto, CallPageDto, toCallResponse, toStatusEventResponse } from './dto/call-response.dto.js';
import { ListCallsQueryDto } from './dto/list-calls-query.dto.js';
import { CallsService } from './calls.service.js';
import { ParseUuidPipe } from '../../common/pipes/parse-uuid.pipe.js';

@ApiTags('calls')
@ApiBearerAuth()
@TenantAccess()
@Controller('calls')
export class CallsController {
  constructor(private readonly calls: CallsService) {}

  @Get()
  @ApiOperation({ summary: 'List calls, newest first (tenant key: its own; admin: pass tenantId)' })
  @ApiOkResponse({ type: CallPageDto })
  async list(@Query() query: ListCallsQueryDto, @CurrentPrincipal() principal: Principal): Promise<CallPageDto> {
    const page = await this.calls.list(tenantIdFor(principal, query.tenantId), query);
    return { items: page.items.map(toCallResponse), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: "A call with its status history (another tenant's call answers 404)" })
  @ApiOkResponse({ type: CallDetailDto })
  async get(@Param('id', ParseUuidPipe) id: string, @CurrentPrincipal() principal: Principal): Promise<CallDetailDto> {
    const { call, history } = await this.calls.get(principal.kind === 'tenant' ? principal.tenantId : null, id);
    return { ...toCallResponse(call), statusHistory: history.map(toStatusEventResponse) };
  }
}
