import type { RoutingMode } from '../tenants/tenant-settings.types.js';

// The typed parts of a call's state that more than one module reads (issue #14).

/**
 * How the call's audio reaches the agent: through our media bridge (`bridge`), through ElevenLabs'
 * own Twilio integration that we registered (`register-call`), or entirely through ElevenLabs'
 * native Twilio integration, where we learn of the call from its initiation webhook (`native`).
 */
export type CallRoutingMode = RoutingMode | 'native';
export const CALL_ROUTING_MODES: readonly CallRoutingMode[] = ['bridge', 'register-call', 'native'];

/**
 * How the media bridge let go of a call (calls.metadata.bridgeOutcome). Written by the media
 * bridge when the stream ends, read by the `<Connect action>` answer (twilio-webhooks), which
 * switches on it exhaustively: a new outcome does not compile until that answer handles it.
 */
export const BRIDGE_OUTCOMES = ['completed', 'transfer', 'upstream_failed', 'caller_hangup'] as const;
export type BridgeOutcome = (typeof BRIDGE_OUTCOMES)[number];

/** The outcome a stored value names, or undefined (none recorded, or a value this version does not know). */
export function bridgeOutcomeOf(value: unknown): BridgeOutcome | undefined {
  return (BRIDGE_OUTCOMES as readonly unknown[]).includes(value) ? (value as BridgeOutcome) : undefined;
}
