// Usage is counted per UTC day and quotas per UTC calendar month, whatever the tenant's timezone:
// one clock for billing, so a day's row never depends on where the tenant is.

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MS_PER_DAY = 86_400_000;
export const MAX_RANGE_DAYS = 366;

/** 'YYYY-MM-DD' of an instant, in UTC. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** First day of the instant's UTC month, as 'YYYY-MM-01'. */
export function utcMonthStart(at: Date): string {
  return `${utcDay(at).slice(0, 7)}-01`;
}

function isRealDay(value: string): boolean {
  if (!DAY.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && utcDay(parsed) === value;
}

export type DayRange = { ok: true; from: string; to: string } | { ok: false; message: string };

/** Validates a from/to day range (inclusive); defaults to this UTC month up to today. */
export function resolveDayRange(from: string | undefined, to: string | undefined, now: Date): DayRange {
  const resolvedFrom = from ?? utcMonthStart(now);
  const resolvedTo = to ?? utcDay(now);
  for (const [name, value] of [
    ['from', resolvedFrom],
    ['to', resolvedTo],
  ] as const) {
    if (!isRealDay(value)) return { ok: false, message: `${name} must be a date as YYYY-MM-DD` };
  }
  if (resolvedFrom > resolvedTo) return { ok: false, message: 'from must not be after to' };
  const days = (Date.parse(`${resolvedTo}T00:00:00Z`) - Date.parse(`${resolvedFrom}T00:00:00Z`)) / MS_PER_DAY + 1;
  if (days > MAX_RANGE_DAYS) return { ok: false, message: `The range may cover at most ${MAX_RANGE_DAYS} days` };
  return { ok: true, from: resolvedFrom, to: resolvedTo };
}

/** What is left of a monthly allowance; null when there is no quota. */
export function remainingAllowance(quota: number | undefined | null, used: number): number | null {
  if (quota === undefined || quota === null) return null;
  return Math.max(0, quota - used);
}

/** Voice minutes used, counting a started minute as used (how carriers bill). */
export function minutesUsed(seconds: number): number {
  return Math.ceil(seconds / 60);
}
