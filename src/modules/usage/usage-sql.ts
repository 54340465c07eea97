// The one way usage counters are incremented: INSERT ... ON CONFLICT (tenant_id, day) DO UPDATE
// adding to the existing row. Column names come from the fixed table below, never from input.

export const USAGE_COUNTERS = [
  'inboundCalls',
  'outboundCalls',
  'inboundSeconds',
  'outboundSeconds',
  'smsInSegments',
  'smsOutSegments',
  'whatsappIn',
  'whatsappOut',
  'aiSeconds',
] as const;
export type UsageCounter = (typeof USAGE_COUNTERS)[number];

export const USAGE_COLUMN: Readonly<Record<UsageCounter, string>> = {
  inboundCalls: 'inbound_calls',
  outboundCalls: 'outbound_calls',
  inboundSeconds: 'inbound_seconds',
  outboundSeconds: 'outbound_seconds',
  smsInSegments: 'sms_in_segments',
  smsOutSegments: 'sms_out_segments',
  whatsappIn: 'whatsapp_in',
  whatsappOut: 'whatsapp_out',
  aiSeconds: 'ai_seconds',
};

/**
 * `INSERT INTO usage_daily ... SELECT <tenant>, <day>, <values> FROM <source> ON CONFLICT DO UPDATE`.
 * `tenantId`, `day` and the values are SQL expressions (parameters or columns of `source`), so
 * the increment can run as a data-modifying CTE inside another statement: atomic with the change
 * that caused it, without a transaction's extra round trips.
 */
export function usageIncrementSql(opts: { tenantId: string; day: string; values: Partial<Record<UsageCounter, string>>; source?: string }): string {
  const counters = USAGE_COUNTERS.filter((c) => opts.values[c] !== undefined);
  if (counters.length === 0) throw new Error('usageIncrementSql needs at least one counter');
  const columns = counters.map((c) => USAGE_COLUMN[c]);
  return `INSERT INTO usage_daily (tenant_id, day, ${columns.join(', ')})
    SELECT ${opts.tenantId}, ${opts.day}, ${counters.map((c) => opts.values[c]).join(', ')}${opts.source ? ` FROM ${opts.source}` : ''}
    ON CONFLICT (tenant_id, day) DO UPDATE SET ${columns.map((c) => `${c} = usage_daily.${c} + EXCLUDED.${c}`).join(', ')}`;
}
