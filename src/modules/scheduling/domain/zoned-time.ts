// Wall-clock time in an IANA timezone <-> instants, with the platform's Intl data only (no
// timezone library). Offsets are found by formatting the instant in the zone and comparing.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

export interface LocalDateTime {
  /** YYYY-MM-DD */
  date: string;
  /** minutes since local midnight */
  minutes: number;
}

/** The local date and time of an instant in a zone. */
export function toLocal(instant: Date, timeZone: string): LocalDateTime {
  const parts: Record<string, string> = {};
  for (const p of formatterFor(timeZone).formatToParts(instant)) parts[p.type] = p.value;
  return { date: `${parts.year}-${parts.month}-${parts.day}`, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** Offset of the zone from UTC at an instant, in minutes (e.g. +60 for CET in winter). */
export function offsetMinutes(instant: Date, timeZone: string): number {
  const local = toLocal(instant, timeZone);
  const [y, m, d] = local.date.split('-').map(Number);
  const asUtc = Date.UTC(y, m - 1, d, 0, local.minutes);
  return Math.round((asUtc - Math.floor(instant.getTime() / 60_000) * 60_000) / 60_000);
}

/**
 * The instant a local wall-clock time denotes, or undefined when that time does not exist (the
 * hour skipped when clocks go forward). In the repeated hour (clocks go back) the first is taken.
 */
export function fromLocal(date: string, minutes: number, timeZone: string): Date | undefined {
  const [y, m, d] = date.split('-').map(Number);
  const naive = Date.UTC(y, m - 1, d, 0, minutes);
  // Two passes settle the offset on either side of a transition.
  const candidates = new Set<number>();
  for (const guess of [naive, naive - 24 * 3_600_000, naive + 24 * 3_600_000]) {
    candidates.add(naive - offsetMinutes(new Date(guess), timeZone) * 60_000);
  }
  const valid = [...candidates].filter((t) => {
    const local = toLocal(new Date(t), timeZone);
    return local.date === date && local.minutes === minutes;
  });
  return valid.length > 0 ? new Date(Math.min(...valid)) : undefined;
}

/** "YYYY-MM-DD" is a real calendar date. */
export function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const [y, m, d] = text.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** 0 = Sunday, as Date.getUTCDay. */
export function weekdayOf(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export function parseClock(text: string): number | undefined {
  const match = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(text);
  if (!match) return undefined;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return minutes <= 24 * 60 ? minutes : undefined;
}

export function formatClock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A start time as an agent sends it: ISO 8601 with an offset ("2026-03-03T10:00:00+01:00", "...Z"),
 * or a local wall-clock time without one ("2026-03-03T10:00", "2026-03-03 10:00"), read in the
 * tenant's timezone. undefined when it is neither.
 */
export function parseDateTime(text: string, timeZone: string): Date | undefined {
  const m = DATE_TIME.exec(text.trim());
  if (!m || !isCalendarDate(m[1])) return undefined;
  const [hours, minutes, seconds] = [Number(m[2]), Number(m[3]), Number(m[4] ?? 0)];
  if (hours > 23 || minutes > 59 || seconds > 59) return undefined;
  if (m[5]) {
    const offset = m[5].toUpperCase() === 'Z' ? 'Z' : `${m[5].slice(0, 3)}:${m[5].slice(-2)}`;
    const instant = new Date(`${m[1]}T${m[2]}:${m[3]}:${String(seconds).padStart(2, '0')}${offset}`);
    return Number.isNaN(instant.getTime()) ? undefined : instant;
  }
  const local = fromLocal(m[1], hours * 60 + minutes, timeZone);
  return local && new Date(local.getTime() + seconds * 1000);
}

/** "2026-03-03T10:00:00+01:00": the instant in the tenant's local time, offset included. */
export function formatLocalIso(instant: Date, timeZone: string): string {
  const local = toLocal(instant, timeZone);
  const offset = offsetMinutes(instant, timeZone);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${local.date}T${formatClock(local.minutes)}:00${sign}${formatClock(abs)}`;
}

const phrasers = new Map<string, Intl.DateTimeFormat>();

/** "Tuesday 3 March at 10:00": how an agent says a time to a caller. */
export function describeWhen(instant: Date, timeZone: string): string {
  let phraser = phrasers.get(timeZone);
  if (!phraser) {
    phraser = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    phrasers.set(timeZone, phraser);
  }
  const parts: Record<string, string> = {};
  for (const p of phraser.formatToParts(instant)) parts[p.type] = p.value;
  return `${parts.weekday} ${parts.day} ${parts.month} at ${parts.hour}:${parts.minute}`;
}
