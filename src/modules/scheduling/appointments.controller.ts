import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, TenantAccess } from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { tenantIdFor } from '../../common/auth/tenant-scope.js';
import { Audited } from '../../common/audit/audited.decorator.js';
import { TenantScopeQueryDto } from '../../common/dto/tenant-scope-query.dto.js';
import type { Appointment } from './appointment.entity.js';
import { AppointmentsService } from './appointments.service.js';
import { AppointmentResponseDto, ListAppointmentsQueryDto } from './dto/appointments.dto.js';
import { ParseUuidPipe } from '../../common/pipes/parse-uuid.pipe.js';

@ApiTags('scheduling')
@ApiBearerAuth()
@TenantAccess()
@Controller('scheduling/appointments')
export class AppointmentsController {
  constructor(private readonly appointments: AppointmentsService) {}

  @Get()
  @ApiOperation({ summary: 'Appointments by start time, filtered by period, employee or status' })
  @ApiOkResponse({ type: [AppointmentResponseDto] })
  async list(@Query() query: ListAppointmentsQueryDto, @CurrentPrincipal() principal: Principal): Promise<AppointmentResponseDto[]> {
    return (await this.appointments.list(tenantIdFor(principal, query.tenantId), query)).map(toAppointmentResponse);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Audited('appointment.cancel', 'appointment')
  @ApiOperation({ summary: 'Cancel a booking and free its time' })
  @ApiOkResponse({ type: AppointmentResponseDto })
  async cancel(
    @Param('id', ParseUuidPipe) id: string,
    @Query() query: TenantScopeQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<AppointmentResponseDto> {
    return toAppointmentResponse(await this.appointments.cancel(tenantIdFor(principal, query.tenantId), id));
  }
}

export function toAppointmentResponse(a: Appointment): AppointmentResponseDto {
  return {
    id: a.id,
    employeeId: a.employeeId,
    serviceId: a.serviceId,
    leadId: a.leadId,
    callId: a.callId,
    customerName: a.customerName,
    customerEmail: a.customerEmail,
    customerPhone: a.customerPhone,
    startAt: a.startAt,
    endAt: a.endAt,
    status: a.status,
    notes: a.notes,
    source: a.source,
    createdAt: a.createdAt,
  };
}
