import { Module } from '@nestjs/common';
import { CallsModule } from '../calls/calls.module.js';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LeadsModule } from '../leads/leads.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { AppointmentSlot } from './appointment-slot.entity.js';
import { Appointment } from './appointment.entity.js';
import { AppointmentsController } from './appointments.controller.js';
import { AppointmentsService } from './appointments.service.js';
import { BookableService } from './bookable-service.entity.js';
import { CatalogueService } from './catalogue.service.js';
import { EmployeeServiceLink } from './employee-service.entity.js';
import { Employee } from './employee.entity.js';
import { EmployeesController } from './employees.controller.js';
import { ServicesController } from './services.controller.js';

/** Services, staff, availability and appointments: what the agent's booking tools work on. */
@Module({
  imports: [TypeOrmModule.forFeature([BookableService, Employee, EmployeeServiceLink, Appointment, AppointmentSlot]), CallsModule, LeadsModule, TenantsModule],
  controllers: [ServicesController, EmployeesController, AppointmentsController],
  providers: [CatalogueService, AppointmentsService],
  exports: [CatalogueService, AppointmentsService],
})
export class SchedulingModule {}
