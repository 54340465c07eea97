import type { EntityManager } from 'typeorm';

/**
 * Adds a conversation's AI seconds and cost to the tenant's usage_daily row of the UTC day it
 * started (the usage table's increment-only convention: INSERT ... ON CONFLICT DO UPDATE). Called
 * once per conversation, inside the transaction that records it.
 */
export async function addAiUsage(manager: EntityManager, tenantId: string, at: Date, seconds: number, cost: number): Promise<void> {
  if (seconds <= 0 && cost <= 0) return;
  await manager.query(
    `INSERT INTO usage_daily (tenant_id, day, ai_seconds, ai_cost) VALUES ($1, $2, $3, $4)
     ON CONFLICT (tenant_id, day) DO UPDATE SET ai_seconds = usage_daily.ai_seconds + EXCLUDED.ai_seconds, ai_cost = usage_daily.ai_cost + EXCLUDED.ai_cost`,
    [tenantId, at.toISOString().slice(0, 10), Math.max(0, Math.round(seconds)), Math.max(0, cost).toFixed(4)],
  );
}
