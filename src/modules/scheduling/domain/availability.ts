import type { BookingProblem, Busy, FreeSlot, StaffAvailabilityInput, WeeklyHours } from './scheduling.types.js';
import { isWeekday, WEEKDAYS } from './scheduling.types.js';
import { addDays, formatClock, fromLocal, parseClock, toLocal, weekdayOf } from './zoned-time.js';

/** Bookings start and end on this grid; appointment_slots holds one row per grid cell. */
export const SLOT_MINUTES = 5;
/** Offered start times are this far apart. */
export const DEFAULT_STEP_MINUTES = 15;
export const MAX_DAYS_AHEAD = 180;
const MINUTE = 60_000;

interface Interval {
  open: number;
  close: number;
}

/** Why a weekly schedule is unusable, as a sentence; undefined when it is fine. */
export function describeWorkingHoursProblem(hours: unknown): string | undefined {
  if (hours === null || typeof hours !== 'object' || Array.isArray(hours)) return 'workingHours must be an object keyed by weekday (mon ... sun)';
  for (const [day, intervals] of Object.entries(hours)) {
    if (!isWeekday(day)) return `workingHours has an unknown day "${day}" (use mon, tue, wed, thu, fri, sat, sun)`;
    if (!Array.isArray(intervals)) return `workingHours.${day} must be a list of { open, close }`;
    let previousClose = -1;
    const list: readonly unknown[] = intervals;
    for (const interval of list) {
      const { open, close }: { open?: unknown; close?: unknown } = typeof interval === 'object' && interval !== null ? interval : {};
      const o = typeof open === 'string' ? parseClock(open) : undefined;
      const c = typeof close === 'string' ? parseClock(close) : undefined;
      if (o === undefined || c === undefined || typeof open !== 'string' || typeof close !== 'string')
        return `workingHours.${day} times must be "HH:MM" (24-hour clock)`;
      if (o % SLOT_MINUTES !== 0 || c % SLOT_MINUTES !== 0) return `workingHours.${day} times must be on a ${SLOT_MINUTES}-minute boundary`;
      if (o >= c) return `workingHours.${day}: ${open} must be before ${close}`;
      if (o < previousClose) return `workingHours.${day} intervals must be in order and must not overlap`;
      previousClose = c;
    }
  }
  return undefined;
}

function intervalsOn(hours: WeeklyHours, date: string): Interval[] {
  const day = WEEKDAYS[weekdayOf(date)];
  return (hours[day] ?? []).flatMap((i) => {
    const open = parseClock(i.open);
    const close = parseClock(i.close);
    return open !== undefined && close !== undefined && open < close ? [{ open, close }] : [];
  });
}

// Local "24:00" is midnight of the next day.
function instantOf(date: string, minutes: number, timeZone: string): Date | undefined {
  return minutes >= 24 * 60 ? fromLocal(addDays(date, 1), minutes - 24 * 60, timeZone) : fromLocal(date, minutes, timeZone);
}

function overlaps(start: Date, end: Date, busy: readonly Busy[]): boolean {
  return busy.some((b) => b.start < end && start < b.end);
}

export interface FreeSlotsInput {
  date: string;
  timeZone: string;
  durationMinutes: number;
  now: Date;
  staff: readonly StaffAvailabilityInput[];
  stepMinutes?: number;
  /** Earliest start is now + this (no booking for "in two minutes"). */
  leadTimeMinutes?: number;
  limit?: number;
}

/** Start times on `date` (tenant-local) at which at least one of the staff is free for the whole service. */
export function freeSlots(input: FreeSlotsInput): FreeSlot[] {
  const step = input.stepMinutes ?? DEFAULT_STEP_MINUTES;
  const earliest = input.now.getTime() + (input.leadTimeMinutes ?? 0) * MINUTE;
  const byStart = new Map<number, FreeSlot>();
  for (const person of input.staff) {
    for (const interval of intervalsOn(person.workingHours, input.date)) {
      const closeAt = instantOf(input.date, interval.close, input.timeZone);
      if (!closeAt) continue;
      for (let t = interval.open; t + input.durationMinutes <= interval.close; t += step) {
        const start = fromLocal(input.date, t, input.timeZone);
        if (!start || start.getTime() <= earliest) continue;
        const end = new Date(start.getTime() + input.durationMinutes * MINUTE);
        if (end > closeAt || overlaps(start, end, person.busy)) continue;
        const slot = byStart.get(start.getTime()) ?? { start, end, time: formatClock(t), employees: [] };
        slot.employees.push({ id: person.id, name: person.name });
        byStart.set(start.getTime(), slot);
      }
    }
  }
  const slots = [...byStart.values()].sort((a, b) => a.start.getTime() - b.start.getTime());
  return input.limit === undefined ? slots : slots.slice(0, input.limit);
}

export interface BookingCheckInput {
  start: Date;
  durationMinutes: number;
  timeZone: string;
  workingHours: WeeklyHours;
  now: Date;
  maxDaysAhead?: number;
}

/** Whether an employee can take a booking at `start` (overlaps are the database's job). */
export function checkBooking(input: BookingCheckInput): BookingProblem | undefined {
  const startMs = input.start.getTime();
  if (startMs % (SLOT_MINUTES * MINUTE) !== 0) return 'off_grid';
  if (startMs <= input.now.getTime()) return 'past';
  if (startMs > input.now.getTime() + (input.maxDaysAhead ?? MAX_DAYS_AHEAD) * 24 * 60 * MINUTE) return 'too_far_ahead';
  const endMs = startMs + input.durationMinutes * MINUTE;
  const local = toLocal(input.start, input.timeZone);
  const fits = intervalsOn(input.workingHours, local.date).some((interval) => {
    const open = instantOf(local.date, interval.open, input.timeZone);
    const close = instantOf(local.date, interval.close, input.timeZone);
    return !!open && !!close && open.getTime() <= startMs && endMs <= close.getTime();
  });
  return fits ? undefined : 'outside_hours';
}

/** The grid cells a booking occupies: one appointment_slots row each. */
export function slotStarts(start: Date, durationMinutes: number): Date[] {
  const cells = Math.ceil(durationMinutes / SLOT_MINUTES);
  return Array.from({ length: cells }, (_, i) => new Date(start.getTime() + i * SLOT_MINUTES * MINUTE));
}
