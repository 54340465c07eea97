// Pure quota arithmetic, shared by QuotaService and its tests.

export type QuotaKind = 'concurrentCalls' | 'voiceMinutes' | 'smsSegments' | 'outboundCalls';
/** The quotas counted per UTC month (alerts are sent for these). */
export const MONTHLY_QUOTAS: readonly QuotaKind[] = ['voiceMinutes', 'smsSegments', 'outboundCalls'];
export const ALERT_THRESHOLDS = [80, 100] as const;

export interface QuotaCheck {
  kind: QuotaKind;
  /** False when one more unit would exceed the limit. */
  allowed: boolean;
  used: number;
  /** null = no quota set. */
  limit: number | null;
  remaining: number | null;
}

export function evaluateQuota(kind: QuotaKind, used: number, limit: number | null | undefined): QuotaCheck {
  if (limit === null || limit === undefined) return { kind, allowed: true, used, limit: null, remaining: null };
  const remaining = Math.max(0, limit - used);
  return { kind, allowed: used < limit, used, limit, remaining };
}

/** Thresholds (percent) that `used` has reached; a zero limit counts as fully used. */
export function thresholdsReached(used: number, limit: number | null | undefined): number[] {
  if (limit === null || limit === undefined) return [];
  if (limit === 0) return [...ALERT_THRESHOLDS];
  return ALERT_THRESHOLDS.filter((t) => used * 100 >= limit * t);
}
