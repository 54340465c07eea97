import type { OutboundCallOptions } from '../calls/call-state.js';
import type { TenantSettings } from '../tenants/tenant-settings.types.js';

// Pure decisions of the outbound path, table-tested in outbound-rules.spec.ts.

/** What we keep on the call (calls.metadata.outbound) and apply when Twilio fetches the call's TwiML. */
export type OutboundOverrides = OutboundCallOptions;

export function machineDetectionMode(value: boolean | 'Enable' | 'DetectMessageEnd' | undefined): 'Enable' | 'DetectMessageEnd' | undefined {
  if (value === true) return 'Enable';
  return value || undefined;
}

/** Twilio's AnsweredBy: machine_start, machine_end_beep/silence/other, fax → not a person. */
export function isMachine(answeredBy: string | undefined | null): boolean {
  return !!answeredBy && (answeredBy.startsWith('machine') || answeredBy === 'fax');
}

export type MachineAction = { action: 'hangup' } | { action: 'voicemail'; message: string };

/** The tenant's choice when a machine answers; a voicemail without a message falls back to hanging up. */
export function machineAction(settings: TenantSettings | null | undefined): MachineAction {
  const outbound = settings?.outbound;
  if (outbound?.onMachine === 'voicemail' && outbound.voicemailMessage) return { action: 'voicemail', message: outbound.voicemailMessage };
  return { action: 'hangup' };
}

/** Milliseconds between two calls of one account at `perSecond`. */
export function dispatchIntervalMs(perSecond: number): number {
  return Math.max(10, Math.round(1000 / perSecond));
}
