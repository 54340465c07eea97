import type { Appointment } from '../../scheduling/appointment.entity.js';
import type { BookableService } from '../../scheduling/bookable-service.entity.js';
import type { EmployeeWithServices } from '../../scheduling/catalogue.service.js';
import type { FreeSlot, WeeklyHours } from '../../scheduling/domain/scheduling.types.js';
import { WEEKDAYS } from '../../scheduling/domain/scheduling.types.js';
import { describeWhen, formatLocalIso } from '../../scheduling/domain/zoned-time.js';

// Server-tool answers: small, flat JSON that an LLM reads well. Ids are there to be passed back;
// times are local (the business's timezone) with the offset, plus a phrase the agent can say.

export function formatPrice(cents: number | null, currency: string | null): string | null {
  if (cents === null) return null;
  const amount = (cents / 100).toFixed(2);
  return currency ? `${amount} ${currency}` : amount;
}

export function servicesAnswer(services: BookableService[]) {
  return {
    services: services.map((s) => ({
      id: s.id,
      name: s.name,
      durationMinutes: s.durationMinutes,
      price: formatPrice(s.priceCents, s.currency),
      ...(s.description ? { description: s.description } : {}),
    })),
  };
}

export function describeHours(hours: WeeklyHours): Record<string, string> {
  const described: Record<string, string> = {};
  for (const day of [...WEEKDAYS.slice(1), WEEKDAYS[0]]) {
    const intervals = hours[day] ?? [];
    if (intervals.length > 0) described[day] = intervals.map((i) => `${i.open}-${i.close}`).join(', ');
  }
  return described;
}

export function employeesAnswer(staff: EmployeeWithServices[], services: BookableService[], timezone: string) {
  const names = new Map(services.map((s) => [s.id, s.name]));
  return {
    timezone,
    employees: staff.map(({ employee, serviceIds }) => ({
      id: employee.id,
      name: employee.name,
      services: serviceIds.filter((id) => names.has(id)).map((id) => ({ id, name: names.get(id)! })),
      workingHours: describeHours(employee.workingHours),
    })),
  };
}

export function availabilityAnswer(service: BookableService, date: string, timezone: string, slots: FreeSlot[]) {
  return {
    date,
    timezone,
    service: { id: service.id, name: service.name, durationMinutes: service.durationMinutes },
    slots: slots.map((s) => ({ time: s.time, startTime: formatLocalIso(s.start, timezone), employees: s.employees })),
    ...(slots.length === 0 ? { message: `There are no free times for ${service.name} on ${date}. Offer another day.` } : {}),
  };
}

export function appointmentAnswer(a: Appointment, serviceName: string, employeeName: string, timezone: string) {
  return {
    id: a.id,
    service: serviceName,
    employee: employeeName,
    when: describeWhen(a.startAt, timezone),
    startTime: formatLocalIso(a.startAt, timezone),
    durationMinutes: Math.round((a.endAt.getTime() - a.startAt.getTime()) / 60_000),
    customerName: a.customerName,
  };
}
