// Types of the pure scheduling domain: no Nest, no TypeORM, no clock (callers pass `now`).

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

export function isWeekday(value: string): value is Weekday {
  return WEEKDAYS.some((day) => day === value);
}

/** "09:00"-"17:30" in the tenant's timezone; minutes on the 5-minute grid. */
export interface WorkingInterval {
  open: string;
  close: string;
}

/** A missing weekday (or an empty list) is a day off. */
export type WeeklyHours = Partial<Record<Weekday, WorkingInterval[]>>;

export interface Busy {
  start: Date;
  end: Date;
}

export interface StaffAvailabilityInput {
  id: string;
  name: string;
  workingHours: WeeklyHours;
  /** Booked appointments that may overlap the day. */
  busy: Busy[];
}

export interface FreeSlot {
  start: Date;
  end: Date;
  /** Local wall-clock time, e.g. "09:30". */
  time: string;
  employees: Array<{ id: string; name: string }>;
}

export type BookingProblem = 'past' | 'off_grid' | 'too_far_ahead' | 'outside_hours';
