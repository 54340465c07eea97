import { Injectable } from '@nestjs/common';
import { Tenant } from '../tenants/tenant.entity.js';
import { LeadMessage } from './lead-message.entity.js';
import { Lead } from './lead.entity.js';
import { LeadsRepository } from './leads.repository.js';

export type DynamicVariables = Record<string, string | number | boolean>;

export interface ConversationContext {
  dynamicVariables: DynamicVariables;
  conversationConfigOverride: Record<string, unknown>;
}

export interface ContextOptions {
  /** Extra variables (outbound calls, hand-back notes); ours win on a name clash only for reserved names. */
  extraVariables?: DynamicVariables;
  /** Override of the tenant's first message for this conversation (outbound calls, hand-back). */
  firstMessage?: string;
  prompt?: string;
  textOnly?: boolean;
}

/** What the variables need of a lead (a full Lead entity qualifies). */
export type LeadContextFields = Pick<Lead, 'name' | 'summary' | 'interactionCount'>;
/** What the conversation_context needs of a timeline entry (a LeadMessage qualifies). */
export type TimelineLine = Pick<LeadMessage, 'role' | 'channel' | 'body'>;

export const MAX_CONTEXT_MESSAGES = 6;
const MAX_CONTEXT_CHARS = 1_500;
const ROLE_LABEL: Record<string, string> = { user: 'Customer', agent: 'Agent', human: 'Staff', system: 'Note' };

/**
 * What an ElevenLabs conversation starts from, for calls and SMS alike: who the customer is, what
 * was said before on any channel, and the tenant's agent overrides. The media bridge and the
 * conversation-initiation webhook both use this, so a caller gets the same context either way.
 */
@Injectable()
export class ConversationContextService {
  constructor(private readonly leads: LeadsRepository) {}

  async build(tenant: Tenant, lead: Lead | null, options: ContextOptions = {}): Promise<ConversationContext> {
    const { recent, total } = lead ? await this.leads.recentMessagesWithTotal(tenant.id, lead.id, MAX_CONTEXT_MESSAGES) : { recent: [], total: 0 };
    return this.fromHistory(tenant, lead, recent, total, options);
  }

  /**
   * The same context from a history the caller already read (the last MAX_CONTEXT_MESSAGES entries,
   * oldest first, and the timeline's size): for the call-setup path, which fetches it together
   * with the lead in one query.
   */
  fromHistory(
    tenant: Tenant,
    lead: LeadContextFields | null,
    recent: readonly TimelineLine[],
    total: number,
    options: ContextOptions = {},
  ): ConversationContext {
    return {
      dynamicVariables: { ...(options.extraVariables ?? {}), ...buildVariables(tenant, lead, recent, total) },
      conversationConfigOverride: buildOverride(tenant, options),
    };
  }

  /** For callers we cannot place (unknown number, rate-limited): valid, neutral, never silent. */
  neutral(organizationName = ''): ConversationContext {
    return { dynamicVariables: buildVariables(null, null, [], 0, organizationName), conversationConfigOverride: {} };
  }
}

export function buildVariables(
  tenant: Tenant | null,
  lead: LeadContextFields | null,
  recent: readonly TimelineLine[],
  total: number,
  organizationName = '',
): DynamicVariables {
  const returning = !!lead && (lead.interactionCount > 0 || total > 0);
  return {
    customer_name: lead?.name || 'Customer',
    organization_name: tenant?.name ?? organizationName,
    organization_id: tenant?.slug ?? '',
    lead_status: returning ? 'Returning Customer' : 'New Inquiry',
    caller_type: returning ? 'existing_lead' : 'new_caller',
    previous_summary: lead?.summary ?? '',
    conversation_context: formatContext(recent),
    has_conversation_history: total > 0 ? 'true' : 'false',
    total_messages: total,
  };
}

/** The last messages across voice and SMS, oldest first, cut from the oldest side to fit. */
export function formatContext(recent: readonly TimelineLine[], maxChars = MAX_CONTEXT_CHARS): string {
  const lines = recent.map((m) => `${ROLE_LABEL[m.role] ?? m.role} (${m.channel}): ${m.body.replace(/\s+/g, ' ').trim()}`);
  while (lines.length > 1 && lines.join('\n').length > maxChars) lines.shift();
  const text = lines.join('\n');
  return text.length > maxChars ? text.slice(text.length - maxChars) : text;
}

function buildOverride(tenant: Tenant, options: ContextOptions): Record<string, unknown> {
  const agentSettings = tenant.settings?.agent ?? {};
  const agent: Record<string, unknown> = {};
  const firstMessage = options.firstMessage ?? agentSettings.firstMessage;
  const prompt = options.prompt ?? agentSettings.prompt;
  if (firstMessage) agent.first_message = firstMessage;
  if (agentSettings.language) agent.language = agentSettings.language;
  if (prompt) agent.prompt = { prompt };
  const override: Record<string, unknown> = {};
  if (Object.keys(agent).length > 0) override.agent = agent;
  if (agentSettings.voiceId) override.tts = { voice_id: agentSettings.voiceId };
  if (options.textOnly) override.conversation = { text_only: true };
  return override;
}
