import { CLIENT_TOOL_TIMEOUT_MS } from '../media-bridge.constants.js';
import { raceTimeout } from '../session/timing.js';
import type { ClientToolContext, ClientToolRegistry, ClientToolResult } from './client-tool.registry.js';
import { textOf } from '../../../common/json/text-of.js';

const TIMED_OUT = Symbol('timed out');

export interface ClientToolRun extends ClientToolResult {
  name: string;
  toolCallId: string;
  eventId: number;
  isError: boolean;
  failure?: string;
}

/**
 * Answers one `client_tool_call` (docs/protocols.md §4.4): the registered handler's result, or an
 * error result (unknown tool, exception, no answer within 10 s) — the agent must always get one,
 * or it waits for its tool timeout in silence.
 */
export async function runClientTool(
  registry: ClientToolRegistry,
  call: Record<string, unknown>,
  context: Omit<ClientToolContext, 'parameters'>,
): Promise<ClientToolRun> {
  const name = textOf(call.tool_name);
  const base = { name, toolCallId: textOf(call.tool_call_id), eventId: Number(call.event_id) || 0 };
  const handler = registry.get(name);
  if (!handler) return { ...base, result: `Unknown tool "${name}".`, isError: true };
  try {
    const parameters = typeof call.parameters === 'object' && call.parameters !== null ? (call.parameters as Record<string, unknown>) : {};
    const answer = await raceTimeout(Promise.resolve(handler.execute({ ...context, parameters })), CLIENT_TOOL_TIMEOUT_MS, TIMED_OUT);
    if (answer === TIMED_OUT) throw new Error(`timed out after ${CLIENT_TOOL_TIMEOUT_MS} ms`);
    const result = typeof answer === 'string' ? { result: answer } : answer;
    return { ...base, result: String(result.result), isError: result.isError === true };
  } catch (err) {
    return { ...base, result: 'The tool failed; continue without it.', isError: true, failure: (err as Error).message };
  }
}
