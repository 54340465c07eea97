export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface OpeningInterval {
  open: string; // "09:00", local time
  close: string; // "17:30"
}

// Opening hours are wall-clock times in the tenant's timezone, so they follow DST by
// construction: "now" is converted to local weekday + minutes with Intl (IANA tz database) and
// compared with the intervals. An interval whose close is earlier than its open runs overnight
// and belongs to the day it opens on (fri 22:00–02:00 is open at 01:00 on Saturday).

export type BusinessHours = Partial<Record<Weekday, OpeningInterval[]>>;

const WEEKDAYS: Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const SHORT_TO_WEEKDAY: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timezone, formatter);
  }
  return formatter;
}

/** Weekday (0 = Sunday) and minutes since local midnight of `at` in `timezone` (UTC if the zone is unknown). */
export function localTime(at: Date, timezone: string): { weekday: number; minutes: number } {
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = formatterFor(timezone);
  } catch {
    formatter = formatterFor('UTC');
  }
  const parts = formatter.formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '0';
  return { weekday: SHORT_TO_WEEKDAY[get('weekday')] ?? 0, minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

function toMinutes(hhmm: string): number | undefined {
  const match = /^(\d{2}):(\d{2})$/.exec(hhmm ?? '');
  if (!match) return undefined;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return minutes <= 24 * 60 ? minutes : undefined;
}

function opensToday(interval: OpeningInterval, minutes: number): boolean {
  const open = toMinutes(interval.open);
  const close = toMinutes(interval.close);
  if (open === undefined || close === undefined || open === close) return false;
  return close > open ? minutes >= open && minutes < close : minutes >= open;
}

function carriesOverFromYesterday(interval: OpeningInterval, minutes: number): boolean {
  const open = toMinutes(interval.open);
  const close = toMinutes(interval.close);
  if (open === undefined || close === undefined) return false;
  return close < open && minutes < close;
}

/** Absent hours = always open; a weekday without intervals is closed all day. */
export function isWithinBusinessHours(hours: BusinessHours | undefined | null, timezone: string, at: Date): boolean {
  if (!hours || Object.keys(hours).length === 0) return true;
  const { weekday, minutes } = localTime(at, timezone);
  const today = hours[WEEKDAYS[weekday]] ?? [];
  const yesterday = hours[WEEKDAYS[(weekday + 6) % 7]] ?? [];
  return today.some((i) => opensToday(i, minutes)) || yesterday.some((i) => carriesOverFromYesterday(i, minutes));
}
