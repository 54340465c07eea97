import { describe, expect, it } from '@jest/globals';
import { usageIncrementSql } from './usage-sql.js';

describe('usageIncrementSql', () => {
  it('should add each counter to the existing row of the tenant and day', () => {
    const sql = usageIncrementSql({ tenantId: '$1', day: '$2::date', values: { inboundCalls: '$3', inboundSeconds: '$4' } }).replace(/\s+/g, ' ');
    expect(sql).toBe(
      'INSERT INTO usage_daily (tenant_id, day, inbound_calls, inbound_seconds) SELECT $1, $2::date, $3, $4 ' +
        'ON CONFLICT (tenant_id, day) DO UPDATE SET inbound_calls = usage_daily.inbound_calls + EXCLUDED.inbound_calls, inbound_seconds = usage_daily.inbound_seconds + EXCLUDED.inbound_seconds',
    );
  });

  it('should select from a source (a CTE) when given one', () => {
    expect(usageIncrementSql({ tenantId: 'tenant_id', day: '$9', values: { aiSeconds: 's' }, source: 'upd WHERE s > 0' })).toContain(
      'SELECT tenant_id, $9, s FROM upd WHERE s > 0',
    );
  });

  it('should refuse an increment of nothing', () => {
    expect(() => usageIncrementSql({ tenantId: '$1', day: '$2', values: {} })).toThrow();
  });
});
