import { Injectable } from '@nestjs/common';
import WebSocket from 'ws';
import { ConversationContextService } from '../leads/conversation-context.service.js';
import type { Lead } from '../leads/lead.entity.js';
import { ElevenLabsApiClient } from '../provider-clients/elevenlabs-api.client.js';
import type { Tenant } from '../tenants/tenant.entity.js';
import { textOf } from '../../common/json/text-of.js';

/** The fields of ElevenLabs' conversation events this client reads (docs/protocols.md §4); all untrusted. */
interface AgentTextMessage {
  type?: unknown;
  error_type?: unknown;
  conversation_initiation_metadata_event?: { conversation_id?: unknown };
  ping_event?: { event_id?: unknown };
  agent_response_event?: { agent_response?: unknown };
  error_event?: { error_type?: unknown };
}

/** A ws text frame's bytes as a string (ws hands a Buffer, an ArrayBuffer or fragments). */
function textOfFrame(raw: Buffer | ArrayBuffer | Buffer[]): string {
  if (Buffer.isBuffer(raw)) return raw.toString('utf8');
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8');
  return Buffer.from(raw).toString('utf8');
}

const REPLY_TIMEOUT_MS = 20_000;

export class AgentTextError extends Error {}

/**
 * One SMS turn with the tenant's ElevenLabs agent over the conversation WebSocket in text-only
 * mode (docs/protocols.md §4.3/§4.4), with the same context builder as a call: open, send the
 * initiation data and the user's message, wait for the agent's answer, close.
 */
@Injectable()
export class AgentTextClient {
  constructor(
    private readonly elevenlabs: ElevenLabsApiClient,
    private readonly context: ConversationContextService,
  ) {}

  async reply(tenant: Tenant, lead: Lead, text: string, timeoutMs = REPLY_TIMEOUT_MS): Promise<{ reply: string; conversationId: string | null }> {
    const agent = tenant.settings?.agent ?? {};
    if (!agent.agentId) throw new AgentTextError('The tenant has no agent configured');
    const ctx = await this.context.build(tenant, lead, { textOnly: true });
    // An SMS conversation starts with the customer's message: no greeting (an empty first message makes the agent wait).
    const override = {
      ...ctx.conversationConfigOverride,
      agent: { ...((ctx.conversationConfigOverride.agent as Record<string, unknown>) ?? {}), first_message: '' },
    };
    const url = agent.publicAgent
      ? this.elevenlabs.publicConversationUrl(agent.agentId)
      : await this.elevenlabs.getSignedUrl(await this.elevenlabs.apiKeyForTenant(tenant.id), agent.agentId);
    const initiation = {
      type: 'conversation_initiation_client_data',
      dynamic_variables: ctx.dynamicVariables,
      conversation_config_override: override,
      user_id: lead.id,
    };
    return exchange(url, initiation, text, timeoutMs);
  }
}

function exchange(
  url: string,
  initiation: Record<string, unknown>,
  text: string,
  timeoutMs: number,
): Promise<{ reply: string; conversationId: string | null }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    let conversationId: string | null = null;
    let sent = false;
    let settled = false;
    const finish = (err: Error | null, reply?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.removeAllListeners('message');
      ws.on('error', () => undefined);
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000);
      if (err) reject(err);
      else resolve({ reply: reply as string, conversationId });
    };
    const timer = setTimeout(() => finish(new AgentTextError('The agent did not answer in time')), timeoutMs);
    ws.on('open', () => ws.send(JSON.stringify(initiation)));
    ws.on('message', (raw) => {
      let msg: AgentTextMessage;
      try {
        msg = JSON.parse(textOfFrame(raw)) as AgentTextMessage;
      } catch {
        return;
      }
      switch (msg.type) {
        case 'conversation_initiation_metadata':
          conversationId = textOf(msg.conversation_initiation_metadata_event?.conversation_id) || null;
          if (!sent) {
            sent = true;
            ws.send(JSON.stringify({ type: 'user_message', text }));
          }
          break;
        case 'ping':
          ws.send(JSON.stringify({ type: 'pong', event_id: msg.ping_event?.event_id }));
          break;
        case 'agent_response': {
          const reply = textOf(msg.agent_response_event?.agent_response).trim();
          if (sent && reply) finish(null, reply);
          break;
        }
        case 'error':
          finish(new AgentTextError(`The agent failed: ${textOf(msg.error_event?.error_type ?? msg.error_type) || 'error'}`));
          break;
      }
    });
    ws.on('error', (err) => finish(new AgentTextError(`Agent connection failed: ${err.message}`)));
    ws.on('close', (code) => finish(new AgentTextError(`The agent closed the conversation (${code}) without answering`)));
  });
}
