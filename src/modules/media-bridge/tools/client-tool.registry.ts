import { Injectable } from '@nestjs/common';
import type { BridgeEndReason } from '../../calls/call-state.js';

/** What a client tool may do to the live call it was called from. */
export interface LiveCallControls {
  /** Ends the call once the agent has finished speaking; `outcome` goes to calls.metadata.bridgeOutcome. */
  endAfterSpeech(outcome: 'completed' | 'transfer', reason: BridgeEndReason): void;
}

/** The call a client tool runs for. Tenant and call ids come from the verified stream, never from the agent. */
export interface ClientToolContext {
  tenantId: string;
  callId: string;
  leadId: string | null;
  conversationId: string | null;
  /** The tenant's hand-off number is configured (transfers are possible). */
  handoffAvailable: boolean;
  /** The `parameters` object the agent sent (untrusted input: validate it). */
  parameters: Record<string, unknown>;
  call: LiveCallControls;
}

export interface ClientToolResult {
  /** Sent back as `client_tool_result.result`; the agent reads it. */
  result: string;
  isError?: boolean;
}

/**
 * A client tool (`client_tool_call` on the conversation socket, docs/protocols.md §4.4). Register it
 * with `ClientToolRegistry.register` from your module's `onModuleInit`; the name must match the
 * tool configured on the ElevenLabs agent. `execute` runs off the audio path and must answer
 * within 10 s, or the agent gets an error result.
 */
export interface ClientToolHandler {
  readonly name: string;
  execute(context: ClientToolContext): Promise<ClientToolResult | string> | ClientToolResult | string;
}

/** The client tools every call can use; other modules add theirs (booking, lookups, ...). */
@Injectable()
export class ClientToolRegistry {
  private readonly handlers = new Map<string, ClientToolHandler>();

  constructor() {
    for (const tool of BUILT_IN_TOOLS) this.handlers.set(tool.name, tool);
  }

  register(handler: ClientToolHandler): void {
    if (this.handlers.has(handler.name) && !BUILT_IN_TOOLS.some((t) => t.name === handler.name)) {
      throw new Error(`Client tool "${handler.name}" is registered twice`);
    }
    this.handlers.set(handler.name, handler);
  }

  get(name: string): ClientToolHandler | undefined {
    return this.handlers.get(name);
  }

  names(): string[] {
    return [...this.handlers.keys()];
  }
}

/** Ends the call politely: the agent finishes its sentence, the audio plays out, then the stream closes. */
export const END_CALL_TOOL: ClientToolHandler = {
  name: 'end_call',
  execute: ({ call }) => {
    call.endAfterSpeech('completed', 'agent_end_call');
    return { result: 'The call will end after your last sentence.' };
  },
};

/**
 * Hands the caller to the tenant's humans. Until live takeover exists this ends the stream with
 * bridgeOutcome 'transfer'; Twilio then requests the <Connect action> URL, which dials the
 * hand-off number.
 */
export const TRANSFER_TO_HUMAN_TOOL: ClientToolHandler = {
  name: 'transfer_to_human',
  execute: ({ call, handoffAvailable }) => {
    if (!handoffAvailable) return { result: 'No human is available to take this call right now. Offer to take a message instead.', isError: true };
    call.endAfterSpeech('transfer', 'agent_transfer');
    return { result: 'The caller will be transferred to a human after your last sentence. Tell them so briefly.' };
  },
};

const BUILT_IN_TOOLS: readonly ClientToolHandler[] = [END_CALL_TOOL, TRANSFER_TO_HUMAN_TOOL];
