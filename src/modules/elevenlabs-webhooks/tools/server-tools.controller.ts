import { Body, Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ToolAppointmentsAnswerDto,
  ToolAvailabilityAnswerDto,
  ToolBookedAnswerDto,
  ToolEmployeesAnswerDto,
  ToolServicesAnswerDto,
} from './tool-responses.dto.js';
import { Public } from '../../../common/auth/auth.decorators.js';
import { SkipAudit } from '../../../common/audit/audited.decorator.js';
import { AppointmentsService } from '../../scheduling/appointments.service.js';
import { CatalogueService } from '../../scheduling/catalogue.service.js';
import { AvailabilityQueryDto, BookAppointmentDto, CallerAppointmentsQueryDto, ToolScopeQueryDto } from '../../scheduling/dto/appointments.dto.js';
import { CurrentToolTenant, ToolSecretGuard } from '../guards/tool-secret.guard.js';
import { appointmentAnswer, availabilityAnswer, employeesAnswer, servicesAnswer } from './tool-responses.js';
import type { ToolTenant } from './tool-secret.service.js';

/**
 * The agent's server tools (ElevenLabs "webhook" tools), per tenant by tool secret. Errors are
 * 4xx with a `message` the agent can say (see scheduling.exception.ts).
 */
@ApiTags('webhooks')
@ApiHeader({ name: 'x-switchboard-tool-secret', required: true, description: "The tenant's tool secret (POST /api/tenants/{id}/tool-secret)" })
@Public()
@SkipAudit()
@UseGuards(ToolSecretGuard)
@Controller('webhooks/elevenlabs')
export class ServerToolsController {
  constructor(
    private readonly catalogue: CatalogueService,
    private readonly appointments: AppointmentsService,
  ) {}

  @Get('services')
  @ApiOperation({ summary: 'Server tool: the bookable services' })
  @ApiOkResponse({ type: ToolServicesAnswerDto })
  async services(@Query() _query: ToolScopeQueryDto, @CurrentToolTenant() tenant: ToolTenant) {
    return servicesAnswer(await this.catalogue.listServices(tenant.id, true));
  }

  @Get('employees')
  @ApiOperation({ summary: 'Server tool: staff, what they do and their hours' })
  @ApiOkResponse({ type: ToolEmployeesAnswerDto })
  async employees(@Query() _query: ToolScopeQueryDto, @CurrentToolTenant() tenant: ToolTenant) {
    const [staff, services] = await Promise.all([this.catalogue.listEmployees(tenant.id, true), this.catalogue.listServices(tenant.id, true)]);
    return employeesAnswer(staff, services, tenant.timezone);
  }

  @Get('availability')
  @ApiOperation({ summary: 'Server tool: free times for a service on a date' })
  @ApiOkResponse({ type: ToolAvailabilityAnswerDto })
  async availability(@Query() query: AvailabilityQueryDto, @CurrentToolTenant() tenant: ToolTenant) {
    const service = await this.catalogue.findService(tenant.id, query.serviceId);
    const { date, slots } = await this.appointments.availability(tenant, service.id, query.date, query.employeeId);
    return availabilityAnswer(service, date, tenant.timezone, slots);
  }

  @Get('appointments')
  @ApiOperation({ summary: "Server tool: the caller's upcoming appointments" })
  @ApiOkResponse({ type: ToolAppointmentsAnswerDto })
  async list(@Query() query: CallerAppointmentsQueryDto, @CurrentToolTenant() tenant: ToolTenant) {
    const upcoming = await this.appointments.upcomingFor(tenant, query.customerPhone);
    return {
      appointments: upcoming.map((a) => appointmentAnswer(a, a.service.name, a.employee.name, tenant.timezone)),
      ...(upcoming.length === 0 ? { message: 'This caller has no upcoming appointments.' } : {}),
    };
  }

  @Post('appointments')
  @HttpCode(201)
  @ApiOperation({ summary: 'Server tool: book an appointment' })
  @ApiCreatedResponse({ type: ToolBookedAnswerDto })
  async book(@Body() dto: BookAppointmentDto, @Query() _query: ToolScopeQueryDto, @CurrentToolTenant() tenant: ToolTenant) {
    const { appointment, serviceName, employeeName, message } = await this.appointments.book(tenant, dto, 'agent');
    return { appointment: appointmentAnswer(appointment, serviceName, employeeName, tenant.timezone), message };
  }
}
