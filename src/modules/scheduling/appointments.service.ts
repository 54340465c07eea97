import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { toE164 } from '../../common/phone/phone-number.js';
import { LeadsRepository } from '../leads/leads.repository.js';
import { EVENT_BUS, type EventBus } from '../realtime/event-bus.port.js';
import type { Tenant } from '../tenants/tenant.entity.js';
import { TenantsRepository } from '../tenants/tenants.repository.js';
import { AppointmentSlot } from './appointment-slot.entity.js';
import { Appointment } from './appointment.entity.js';
import { CatalogueService } from './catalogue.service.js';
import { checkBooking, freeSlots, MAX_DAYS_AHEAD, slotStarts } from './domain/availability.js';
import type { BookingProblem, FreeSlot } from './domain/scheduling.types.js';
import { addDays, describeWhen, fromLocal, isCalendarDate, parseDateTime, toLocal } from './domain/zoned-time.js';
import type { BookAppointmentDto, ListAppointmentsQueryDto } from './dto/appointments.dto.js';
import { SchedulingException, SchedulingExceptionCode } from './scheduling.exception.js';
import { isUniqueViolation } from '../../database/pg-errors.js';
import { CallsRepository } from '../calls/calls.repository.js';

export type SchedulingTenant = Pick<Tenant, 'id' | 'name' | 'timezone'>;
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;
const MAX_SLOTS = 40;

const PROBLEMS: Record<BookingProblem, [SchedulingExceptionCode, string]> = {
  past: [SchedulingExceptionCode.TIME_IN_PAST, 'That time has already passed. Please choose a time later than now.'],
  off_grid: [SchedulingExceptionCode.TIME_OFF_GRID, 'Appointments start at 5-minute steps, like 10:00 or 10:15. Please choose one of the available times.'],
  too_far_ahead: [SchedulingExceptionCode.TOO_FAR_AHEAD, `I can only book up to ${MAX_DAYS_AHEAD} days ahead. Please choose an earlier date.`],
  outside_hours: [
    SchedulingExceptionCode.OUTSIDE_WORKING_HOURS,
    'is not working at that time. Please check availability for that day and offer one of the free times.',
  ],
};

export interface Availability {
  date: string;
  slots: FreeSlot[];
}

/** Availability and bookings. Overlaps are refused by the appointment_slots primary key. */
@Injectable()
export class AppointmentsService {
  private readonly logger = new Logger(AppointmentsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(Appointment) private readonly appointments: Repository<Appointment>,
    private readonly catalogue: CatalogueService,
    private readonly leads: LeadsRepository,
    private readonly tenants: TenantsRepository,
    private readonly calls: CallsRepository,
    @Inject(EVENT_BUS) private readonly events: EventBus,
  ) {}

  async availability(tenant: SchedulingTenant, serviceId: string, date: string, employeeId?: string, now = new Date()): Promise<Availability> {
    const service = await this.catalogue.findService(tenant.id, serviceId);
    if (!isCalendarDate(date)) throw new SchedulingException(SchedulingExceptionCode.INVALID_DATE, 'The date must look like 2026-03-03 (year-month-day).');
    const today = toLocal(now, tenant.timezone).date;
    if (date < today)
      throw new SchedulingException(SchedulingExceptionCode.TIME_IN_PAST, `That date has passed; today is ${today}. Please choose today or a later date.`);
    if (date > addDays(today, MAX_DAYS_AHEAD)) throw new SchedulingException(...PROBLEMS.too_far_ahead);
    const staff = await this.catalogue.staffFor(tenant.id, service.id, employeeId);
    if (employeeId !== undefined && staff.length === 0) {
      throw new SchedulingException(
        SchedulingExceptionCode.SERVICE_NOT_OFFERED,
        `That member of staff does not do ${service.name}. Ask for availability without choosing someone.`,
      );
    }
    const dayStart = fromLocal(date, 0, tenant.timezone) ?? new Date(`${date}T00:00:00Z`);
    const busy = await this.busyBetween(
      tenant.id,
      staff.map((s) => s.id),
      new Date(dayStart.getTime() - 86_400_000),
      new Date(dayStart.getTime() + 2 * 86_400_000),
    );
    const slots = freeSlots({
      date,
      timeZone: tenant.timezone,
      durationMinutes: service.durationMinutes,
      now,
      staff: staff.map((s) => ({ id: s.id, name: s.name, workingHours: s.workingHours, busy: busy.get(s.id) ?? [] })),
      limit: MAX_SLOTS,
    });
    return { date, slots };
  }

  async book(
    tenant: SchedulingTenant,
    dto: BookAppointmentDto,
    source: 'agent' | 'admin',
    now = new Date(),
  ): Promise<{ appointment: Appointment; serviceName: string; employeeName: string; message: string }> {
    const [service, { employee, serviceIds }] = await Promise.all([
      this.catalogue.findService(tenant.id, dto.serviceId),
      this.catalogue.findEmployee(tenant.id, dto.employeeId),
    ]);
    if (!serviceIds.includes(service.id)) {
      throw new SchedulingException(
        SchedulingExceptionCode.SERVICE_NOT_OFFERED,
        `${employee.name} does not do ${service.name}. Please choose someone who does, from the availability list.`,
      );
    }
    const start = parseDateTime(dto.startTime, tenant.timezone);
    if (!start)
      throw new SchedulingException(
        SchedulingExceptionCode.INVALID_TIME,
        'The start time must look like 2026-03-03T10:00:00+00:00, or 2026-03-03T10:00 in local time.',
      );
    const problem = checkBooking({ start, durationMinutes: service.durationMinutes, timeZone: tenant.timezone, workingHours: employee.workingHours, now });
    if (problem) {
      const [code, message] = PROBLEMS[problem];
      throw new SchedulingException(code, problem === 'outside_hours' ? `${employee.name} ${message}` : message);
    }
    const customer = this.customerOf(dto);
    const end = new Date(start.getTime() + service.durationMinutes * 60_000);
    const when = describeWhen(start, tenant.timezone);

    let appointment: Appointment;
    try {
      appointment = await this.dataSource.transaction(async (manager) => {
        const lead = await this.leads.findOrCreateByPhone(tenant.id, customer.phone, manager);
        const callId = dto.conversationId ? await this.callIdFor(manager, tenant.id, dto.conversationId) : null;
        const saved = await manager.save(
          manager.create(Appointment, {
            tenantId: tenant.id,
            employeeId: employee.id,
            serviceId: service.id,
            leadId: lead.id,
            callId,
            customerName: customer.name,
            customerEmail: customer.email,
            customerPhone: customer.phone,
            startAt: start,
            endAt: end,
            status: 'booked',
            notes: dto.notes?.trim() || null,
            source,
          }),
        );
        // The guard: a slot already held by another booking of this employee violates the primary key.
        await manager.insert(
          AppointmentSlot,
          slotStarts(start, service.durationMinutes).map((slotStart) => ({ tenantId: tenant.id, employeeId: employee.id, slotStart, appointmentId: saved.id })),
        );
        await this.leads.fillMissingContact(manager, lead, { name: customer.name, email: customer.email });
        await this.leads.insertTimelineEntries(manager, [
          {
            tenantId: tenant.id,
            leadId: lead.id,
            callId,
            channel: 'voice',
            direction: 'outbound',
            role: 'system',
            body: `Appointment booked: ${service.name} with ${employee.name} on ${when} (${service.durationMinutes} min).`,
            externalId: `appointment:${saved.id}:booked`,
            metadata: { source: 'appointment', event: 'booked', appointmentId: saved.id },
            occurredAt: now,
          },
        ]);
        return saved;
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new SchedulingException(
          SchedulingExceptionCode.SLOT_TAKEN,
          `Sorry, ${employee.name} is no longer free at that time. Please check availability again and offer another time.`,
        );
      }
      throw err;
    }
    void this.events.publish({
      tenantId: tenant.id,
      type: 'appointment.booked',
      leadId: appointment.leadId,
      callId: appointment.callId,
      data: { appointmentId: appointment.id, serviceId: service.id, employeeId: employee.id, startAt: start.toISOString(), source },
    });
    this.logger.log({ tenantId: tenant.id, appointmentId: appointment.id, source }, 'Appointment booked');
    return { appointment, serviceName: service.name, employeeName: employee.name, message: `Booked ${service.name} with ${employee.name} on ${when}.` };
  }

  /** A caller's upcoming bookings, soonest first. */
  async upcomingFor(
    tenant: SchedulingTenant,
    customerPhone: string,
    now = new Date(),
  ): Promise<Array<Appointment & { service: { name: string }; employee: { name: string } }>> {
    const phone = toE164(customerPhone);
    if (!phone)
      throw new SchedulingException(SchedulingExceptionCode.INVALID_CUSTOMER, "I need the caller's phone number in international format, like +14155550123.");
    return (await this.appointments
      .createQueryBuilder('a')
      .innerJoinAndSelect('a.service', 's')
      .innerJoinAndSelect('a.employee', 'e')
      .where("a.tenant_id = :tenantId AND a.customer_phone = :phone AND a.status = 'booked' AND a.start_at >= :now", { tenantId: tenant.id, phone, now })
      .orderBy('a.start_at', 'ASC')
      .take(10)
      .getMany()) as never;
  }

  list(tenantId: string, query: ListAppointmentsQueryDto): Promise<Appointment[]> {
    const qb = this.appointments.createQueryBuilder('a').where('a.tenant_id = :tenantId', { tenantId });
    if (query.from) qb.andWhere('a.start_at >= :from', { from: new Date(query.from) });
    if (query.to) qb.andWhere('a.start_at < :to', { to: new Date(query.to) });
    if (query.employeeId) qb.andWhere('a.employee_id = :employeeId', { employeeId: query.employeeId });
    if (query.status) qb.andWhere('a.status = :status', { status: query.status });
    return qb
      .orderBy('a.start_at', 'ASC')
      .addOrderBy('a.id', 'ASC')
      .take(query.limit ?? 100)
      .getMany();
  }

  /** Cancels a booking and frees its slots; the lead's timeline notes it. */
  async cancel(tenantId: string, appointmentId: string): Promise<Appointment> {
    return this.dataSource.transaction(async (manager) => {
      const appointment = await manager.findOne(Appointment, { where: { id: appointmentId, tenantId }, lock: { mode: 'pessimistic_write' } });
      if (!appointment) throw new SchedulingException(SchedulingExceptionCode.APPOINTMENT_NOT_FOUND, 'Appointment not found');
      if (appointment.status !== 'booked') throw new SchedulingException(SchedulingExceptionCode.NOT_CANCELLABLE, 'This appointment is already cancelled');
      appointment.status = 'cancelled';
      await manager.save(appointment);
      await manager.delete(AppointmentSlot, { tenantId, appointmentId });
      if (appointment.leadId) {
        const timezone = await this.tenants.timezoneOf(tenantId, manager);
        if (timezone === null) throw new Error(`Tenant ${tenantId} not found`);
        await this.leads.insertTimelineEntries(manager, [
          {
            tenantId,
            leadId: appointment.leadId,
            channel: 'voice',
            direction: 'outbound',
            role: 'system',
            body: `Appointment on ${describeWhen(appointment.startAt, timezone)} cancelled.`,
            externalId: `appointment:${appointment.id}:cancelled`,
            metadata: { source: 'appointment', event: 'cancelled', appointmentId: appointment.id },
            occurredAt: new Date(),
          },
        ]);
      }
      return appointment;
    });
  }

  private customerOf(dto: BookAppointmentDto): { name: string; email: string | null; phone: string } {
    const name = dto.customerName.trim().replace(/\s+/g, ' ');
    if (!name || name.length > 200) throw new SchedulingException(SchedulingExceptionCode.INVALID_CUSTOMER, "I need the customer's name to make the booking.");
    const phone = toE164(dto.customerPhone);
    if (!phone)
      throw new SchedulingException(SchedulingExceptionCode.INVALID_CUSTOMER, "I need the caller's phone number in international format, like +14155550123.");
    const email = dto.customerEmail?.trim().toLowerCase() || null;
    if (email && (!EMAIL.test(email) || email.length > 254)) {
      throw new SchedulingException(
        SchedulingExceptionCode.INVALID_CUSTOMER,
        'That e-mail address does not look right. Please ask the caller to spell it again, or book without it.',
      );
    }
    return { name, email, phone };
  }

  private async busyBetween(tenantId: string, employeeIds: string[], from: Date, to: Date): Promise<Map<string, Array<{ start: Date; end: Date }>>> {
    const busy = new Map<string, Array<{ start: Date; end: Date }>>();
    if (employeeIds.length === 0) return busy;
    const rows = await this.appointments
      .createQueryBuilder('a')
      .select(['a.employeeId', 'a.startAt', 'a.endAt'])
      .where("a.tenant_id = :tenantId AND a.status = 'booked' AND a.employee_id IN (:...employeeIds) AND a.start_at < :to AND a.end_at > :from", {
        tenantId,
        employeeIds,
        from,
        to,
      })
      .getMany();
    for (const row of rows) busy.set(row.employeeId, [...(busy.get(row.employeeId) ?? []), { start: row.startAt, end: row.endAt }]);
    return busy;
  }

  private callIdFor(manager: EntityManager, tenantId: string, conversationId: string): Promise<string | null> {
    return this.calls.findIdByConversation(manager, tenantId, conversationId);
  }
}
