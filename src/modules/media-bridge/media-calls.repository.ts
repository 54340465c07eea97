import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ContextOptions } from '../leads/conversation-context.service.js';
import { Lead } from '../leads/lead.entity.js';
import { Tenant } from '../tenants/tenant.entity.js';
import { returningRows } from '../../database/returning-rows.js';

export type { BridgeOutcome } from '../calls/call-state.js';

export interface BridgeCallContext {
  call: { id: string; tenantId: string; leadId: string | null };
  tenant: Tenant;
  lead: Lead | null;
  /** Set by a hand-back after a transfer (takeover module): what the new conversation is told. */
  handback?: { note: string; firstMessage?: string } | null;
  /** Per-call context the voice webhook decided (outbound overrides, voicemail message). */
  contextOptions?: ContextOptions | null;
}

/** The few call-row writes of the bridge; never on the audio path. Tenant ids are always explicit. */
@Injectable()
export class MediaCallsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Makes the session token single-use: only the first stream presenting it gets the call (one
   * atomic UPDATE, safe across instances). In the same round trip it returns what the bridge needs
   * to start the conversation: the tenant (no secrets) and the lead. Null when refused.
   */
  async claimStream(callId: string, tenantId: string, callSid: string, streamSid: string): Promise<BridgeCallContext | null> {
    const result: unknown = await this.dataSource.query(
      `WITH claimed AS (
         UPDATE calls SET media_connected_at = now(), stream_sid = $1, updated_at = now()
         WHERE id = $2 AND tenant_id = $3 AND twilio_call_sid = $4 AND media_connected_at IS NULL
         RETURNING id, tenant_id, lead_id, metadata
       )
       SELECT c.id, c.lead_id, c.metadata->'handback' AS handback, c.metadata->'contextOptions' AS context_options,
         json_build_object('id', t.id, 'name', t.name, 'slug', t.slug, 'status', t.status, 'timezone', t.timezone, 'settings', t.settings) AS tenant,
         CASE WHEN l.id IS NULL THEN NULL ELSE json_build_object('id', l.id, 'tenantId', l.tenant_id, 'phoneE164', l.phone_e164, 'name', l.name,
           'status', l.status, 'score', l.score, 'summary', l.summary, 'interactionCount', l.interaction_count) END AS lead
       FROM claimed c JOIN tenants t ON t.id = c.tenant_id LEFT JOIN leads l ON l.id = c.lead_id AND l.tenant_id = c.tenant_id`,
      [streamSid, callId, tenantId, callSid],
    );
    const rows = returningRows<Record<string, unknown>>(result);
    if (rows.length !== 1) return null;
    const row = rows[0] as {
      id: string;
      lead_id: string | null;
      tenant: Partial<Tenant>;
      lead: Partial<Lead> | null;
      handback: BridgeCallContext['handback'];
      context_options: ContextOptions | null;
    };
    return {
      call: { id: row.id, tenantId, leadId: row.lead_id },
      tenant: Object.assign(new Tenant(), row.tenant),
      lead: row.lead ? Object.assign(new Lead(), row.lead) : null,
      handback: row.handback ?? null,
      contextOptions: row.context_options ?? null,
    };
  }

  async setConversation(callId: string, tenantId: string, conversationId: string, agentId: string | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE calls SET conversation_id = $1, agent_id = COALESCE($2, agent_id), updated_at = now()
       WHERE id = $3 AND tenant_id = $4 AND (conversation_id IS NULL OR conversation_id = $1)`,
      [conversationId, agentId, callId, tenantId],
    );
  }

  /**
   * The bridge's outcome on the call row, and for a call the AI leg could not serve, the first
   * failure reason a user reads on GET /api/calls/:id (query strings cut: a signed URL's token
   * must not land in a column).
   */
  async recordBridgeOutcome(callId: string, tenantId: string, outcome: Record<string, unknown>, failure?: string): Promise<void> {
    const reason = failure ? failure.replace(/\?\S*/g, '?…').slice(0, 200) : null;
    await this.dataSource.query(
      `UPDATE calls SET metadata = metadata || $1::jsonb, failure_reason = COALESCE(failure_reason, $4), updated_at = now() WHERE id = $2 AND tenant_id = $3`,
      [JSON.stringify(outcome), callId, tenantId, reason],
    );
  }
}
